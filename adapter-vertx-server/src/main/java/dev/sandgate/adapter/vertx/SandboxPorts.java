package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.SocketAddress;
import java.util.Optional;

/**
 * Where the broker connects to reach a port of a sandbox: the address its gateway names (a Unix socket relayed into
 * a sandbox's own network namespace), else the configured {@code upstreamHost} and the port. Never anything from a
 * request.
 */
final class SandboxPorts {
    private final SandboxGateway gateway;
    private final WorkerExecutor workers;

    SandboxPorts(SandboxGateway gateway, WorkerExecutor workers) {
        this.gateway = gateway;
        this.workers = workers;
    }

    /**
     * The server to connect to instead of {@code upstreamHost:port}, if the gateway names one. Asked on a worker:
     * the gateway may start a relay.
     */
    Future<Optional<SocketAddress>> server(SandboxName sandbox, Port port) {
        return workers.executeBlocking(() -> gateway.portAddress(sandbox, port).map(SandboxPorts::socketAddress),
                false);
    }

    static SocketAddress socketAddress(PortAddress address) {
        if (address instanceof PortAddress.UnixSocket unix) {
            return SocketAddress.domainSocketAddress(unix.path().toString());
        }
        throw new IllegalArgumentException("unknown port address " + address);
    }
}
