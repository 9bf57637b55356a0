package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.vertx.BrokerServer;
import dev.sandgate.adapter.vertx.BrokerSettings;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The Vert.x session broker over whatever {@link SandboxGateway} and {@link AccessStore} the gateway module binds.
 * Binding comes first ({@link BrokerServer.Prepared}), so that the gateway can name URLs with the bound port
 * ({@link UrlScheme}); serving comes once the gateway exists. Whether session tokens are served comes from the gateway
 * module too ({@link SessionRefusal}).
 */
public final class BrokerModule extends AbstractModule {
    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    @Override
    protected void configure() {
        // Nothing is created behind the wiring's back: every type comes from a module, or creation fails naming it.
        binder().requireExplicitBindings();
    }

    @Provides
    @Singleton
    static Vertx vertx(Lifecycle lifecycle) {
        Vertx vertx = Vertx.vertx(new VertxOptions());
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
                               Lifecycle lifecycle) {
        return lifecycle.register("the broker", bound.serve(gateway, access, clock));
    }
}
