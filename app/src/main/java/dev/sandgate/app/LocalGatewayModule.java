package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.LocalSandboxGateway;
import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.adapter.vertx.Cluster;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import java.time.Clock;
import java.util.Optional;

/**
 * The embedded default: sandboxes on this machine ({@link LocalSandboxGateway}) and the broker's previews and tokens in
 * files next to them ({@link FileAccessStore}), both under the data directory. Needs the {@link UrlScheme} the broker
 * serves them at.
 */
public final class LocalGatewayModule extends AbstractModule {

    @Override
    protected void configure() {
        // Nothing is created behind the wiring's back: every type comes from a module, or creation fails naming it.
        binder().requireExplicitBindings();
        install(new StoreModule()); // previews, tokens and sessions: the file store or Redis
    }

    @Provides
    @Singleton
    static LocalSettings localSettings(AppSettings settings, UrlScheme urls) {
        return LocalSettings.defaults(settings.dataDir()).toBuilder()
                .isolation(settings.isolation())
                .network(settings.network())
                .processes(settings.processes())
                .maxFileBytes(settings.maxFileBytes())
                .limits(settings.limits())
                .secretKeyFile(settings.store().tokenKeyFile())
                .urls(urls)
                .build();
    }

    /** The isolation in force: probes bubblewrap; fails when {@code bwrap} was required and does not work. */
    @Provides
    @Singleton
    static Isolation isolation(AppSettings settings) {
        // from the application's settings, not LocalSettings (which need the broker's URLs): the broker needs it
        return Isolation.resolve(settings.isolation());
    }

    /** A session holds what its processes hold: refused when they run unconfined, unless the operator allows it. */
    @Provides
    @Singleton
    static SessionRefusal sessionRefusal(AppSettings settings, Isolation isolation) {
        return SessionRefusal.forIsolation(isolation.inForce(), settings.allowUnisolatedSessions());
    }

    @Provides
    @Singleton
    static LocalSandboxGateway localGateway(LocalSettings settings, AccessStore access, Isolation isolation, Clock clock,
                                            Lifecycle lifecycle) {
        return lifecycle.register("the local sandboxes", new LocalSandboxGateway(settings, access, isolation, clock));
    }

    @Provides
    @Singleton
    static SandboxGateway gateway(LocalSandboxGateway local) {
        return local;
    }

    /** Not a node of a cluster (with the Redis store, {@link NodeModule} makes it one). */
    @Provides
    @Singleton
    static Optional<Cluster> cluster() {
        return Optional.empty();
    }
}
