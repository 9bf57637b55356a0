package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.FileAuditLog;
import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.redis.RedisAccessStore;
import dev.sandgate.adapter.redis.RedisAuditLog;
import dev.sandgate.adapter.vertx.BrokerMetrics;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.Readiness;
import dev.sandgate.ports.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@link AccessStore} the settings choose: the embedded {@link FileAccessStore} under the data directory, or the
 * {@link RedisAccessStore} every broker of a cluster shares. Both derive token values from the token key file, so a
 * key moves with its data from one to the other. Installed by each gateway module.
 */
public final class StoreModule extends AbstractModule {

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
    }

    /**
     * Opens the store; Redis unreachable at start-up fails here, with a message naming the endpoint (never the
     * password), and the program exits with status 1.
     */
    @Provides
    @Singleton
    static AccessStore accessStore(AppSettings settings, Lifecycle lifecycle, Optional<BrokerMetrics> metrics) {
        StoreSettings store = settings.store();
        LocalSettings layout = LocalSettings.defaults(settings.dataDir());
        return switch (store.kind()) {
            case FILE -> lifecycle.register("the access store", FileAccessStore.open(layout.accessDir(),
                    store.tokenKeyFile(), layout.durableWrites(), store.fileSync()));
            case REDIS -> {
                RedisAccessStore redis = lifecycle.register("the shared store", RedisAccessStore.open(
                        store.redis().orElseThrow(), FileAccessStore.loadOrCreateKey(store.tokenKeyFile(), true)));
                metrics.ifPresent(m -> redis.timeCallsWith((operation, nanos, failed) ->
                        m.storeCall(operation, Duration.ofNanos(nanos), failed)));
                yield redis;
            }
        };
    }

    /**
     * Where the audit trail of session use is kept, beside the access store: a file per sandbox under
     * {@code <data-dir>/audit}, or a Redis stream per sandbox, which every broker of a cluster shares.
     */
    @Provides
    @Singleton
    static AuditLog auditLog(AppSettings settings, Clock clock, Lifecycle lifecycle) {
        StoreSettings store = settings.store();
        return switch (store.kind()) {
            case FILE -> FileAuditLog.open(settings.dataDir().resolve("audit"), settings.audit().retention(), clock,
                    LocalSettings.defaults(settings.dataDir()).durableWrites());
            case REDIS -> lifecycle.register("the shared audit trail", RedisAuditLog.open(store.redis().orElseThrow(),
                    settings.audit().retention(), clock));
        };
    }

    /** {@code store}: Redis answering for the Redis store; the file store is ready once loaded. */
    @ProvidesIntoSet
    static Readiness storeReadiness(AccessStore store) {
        return store instanceof RedisAccessStore redis ? Readiness.of("store", redis::readiness)
                : Readiness.always("store");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoreModule;
    }

    @Override
    public int hashCode() {
        return StoreModule.class.hashCode();
    }
}
