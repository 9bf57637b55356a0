package dev.sandgate.app;

import com.google.inject.Module;

/** The gateway module for the configured {@link GatewayKind}. */
final class GatewayModules {
    private GatewayModules() {
    }

    static Module of(GatewayKind kind) {
        return switch (kind) {
            case LOCAL -> new LocalGatewayModule();
            case REMOTE -> new RemoteGatewayModule();
        };
    }
}
