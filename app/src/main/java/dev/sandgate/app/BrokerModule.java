package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.sandgate.adapter.vertx.AdminServer;
import dev.sandgate.adapter.vertx.Auditing;
import dev.sandgate.adapter.vertx.BrokerMetrics;
import dev.sandgate.adapter.vertx.BrokerServer;
import dev.sandgate.adapter.vertx.BrokerSettings;
import dev.sandgate.adapter.vertx.Cluster;
import dev.sandgate.adapter.vertx.Monitoring;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.Readiness;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.audit.AuditLog;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Vert.x session broker over whatever {@link SandboxGateway} and {@link AccessStore} the gateway module binds.
 * Binding comes first ({@link BrokerServer.Prepared}), so that the gateway can name URLs with the bound port
 * ({@link UrlScheme}); serving comes once the gateway exists. Whether session tokens are served comes from the gateway
 * module too ({@link SessionRefusal}).
 *
 * <p>What operators see: the {@link Readiness} checks other modules add to the set ({@code /readyz}), and, when the
 * admin listener is set ({@link AdminListen}), the metrics of the broker and of Vert.x itself in one registry
 * ({@link CoreModule} provides it, so that the store can time its calls into it too).
 */
public final class BrokerModule extends AbstractModule {
    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    @Override
    protected void configure() {
        // Nothing is created behind the wiring's back: every type comes from a module, or creation fails naming it.
        binder().requireExplicitBindings();
        // readiness checks: the store's (StoreModule), later the node registry's
        Multibinder.newSetBinder(binder(), Readiness.class);
    }

    @Provides
    @Singleton
    static Vertx vertx(Lifecycle lifecycle, Optional<BrokerMetrics> metrics) {
        // Vert.x's own HTTP server and client meters (vertx_http_*) join the broker's in its registry
        Vertx vertx = metrics.map(m -> Vertx.builder()
                        .with(new VertxOptions().setPreferNativeTransport(true)
                                .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                        .withMetrics(new MicrometerMetricsFactory(m.registry())).build())
                .orElseGet(() -> Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)));
        lifecycle.register("Vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture()
                .get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return vertx;
    }

    @Provides
    @Singleton
    static BrokerServer.Prepared boundBroker(Vertx vertx, BrokerSettings settings, SessionRefusal sessions,
                                             Lifecycle lifecycle) {
        return lifecycle.register("the broker's socket", BrokerServer.prepare(vertx, sessions.applyTo(settings)));
    }

    /** Where sandboxes and previews are reached: the bound broker's URLs. */
    @Provides
    @Singleton
    static UrlScheme urlScheme(BrokerServer.Prepared bound) {
        return bound.urlScheme();
    }

    @Provides
    @Singleton
    static BrokerServer broker(BrokerServer.Prepared bound, SandboxGateway gateway, AccessStore access, Clock clock,
                               Set<Readiness> readiness, Optional<BrokerMetrics> metrics,
                               Optional<Cluster> cluster, AuditLog audit, AppSettings settings, Lifecycle lifecycle) {
        Auditing auditing = Auditing.to(audit).withQueueCapacity(settings.audit().queueCapacity());
        auditing = settings.audit().webhook().map(auditing::withWebhook).orElse(auditing);
        return lifecycle.register("the broker", bound.serve(gateway, access, clock,
                new Monitoring(List.copyOf(readiness), metrics), cluster, auditing));
    }

    /** The admin listener, when set: closed before the broker (registered after it). */
    @Provides
    @Singleton
    static Optional<AdminServer> admin(AppSettings settings, Vertx vertx, BrokerServer broker, Lifecycle lifecycle) {
        return settings.broker().adminListen().map(admin -> lifecycle.register("the admin listener",
                AdminServer.start(vertx, admin.host(), admin.port(), broker)));
    }
}
