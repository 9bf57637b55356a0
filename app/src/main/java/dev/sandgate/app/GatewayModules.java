package dev.sandgate.app;

import com.google.inject.Module;
import com.google.inject.util.Modules;

/** The gateway module for the configured {@link GatewayKind} (and, for the local one, store). */
final class GatewayModules {
    private GatewayModules() {
    }

    static Module of(GatewayKind kind) {
        return switch (kind) {
            case LOCAL -> new LocalGatewayModule();
            case REMOTE -> new RemoteGatewayModule();
            case CLUSTER -> new ClusterGatewayModule();
        };
    }

    /** As {@link #of(GatewayKind)}; the local gateway with the Redis store is a node of a cluster ({@link NodeModule}). */
    static Module of(AppSettings settings) {
        if (settings.gateway() == GatewayKind.LOCAL && settings.store().kind() == StoreSettings.Kind.REDIS) {
            return Modules.override(new LocalGatewayModule()).with(new NodeModule());
        }
        return of(settings.gateway());
    }
}
