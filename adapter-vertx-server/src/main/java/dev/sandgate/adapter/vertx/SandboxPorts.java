package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the broker connects to reach a port of a sandbox: the address its gateway names (a Unix socket relayed into
 * a sandbox's own network namespace), else the configured {@code upstreamHost} and the port. Never anything from a
 * request.
 */
final class SandboxPorts {
    /** How long an answer is reused: a relay lives as long as its sandbox, and a failed connect forgets it sooner. */
    static final long REUSE_NANOS = 1_000_000_000L;
    /** At most this many remembered answers; beyond, the map is cleared (a sandbox count, not a request count). */
    private static final int MAX_REMEMBERED = 4_096;

    private record Key(SandboxName sandbox, Port port) {
    }

    private record Answer(Optional<SocketAddress> server, long until) {
    }

    private final SandboxGateway gateway;
    private final WorkerExecutor workers;
    private final Map<Key, Answer> remembered = new ConcurrentHashMap<>();

    SandboxPorts(SandboxGateway gateway, WorkerExecutor workers) {
        this.gateway = gateway;
        this.workers = workers;
    }

    /**
     * The server to connect to instead of {@code upstreamHost:port}, if the gateway names one. Asked on a worker
     * (the gateway may start a relay), and the answer reused for a second, so that a stream of requests to one port
     * does not hop to a worker each time; {@link #forget} drops it when connecting to it failed.
     */
    Future<Optional<SocketAddress>> server(SandboxName sandbox, Port port) {
        Key key = new Key(sandbox, port);
        Answer known = remembered.get(key);
        if (known != null && System.nanoTime() - known.until < 0) {
            return Future.succeededFuture(known.server);
        }
        return workers.executeBlocking(() -> {
            Optional<SocketAddress> server = gateway.portAddress(sandbox, port).map(SandboxPorts::socketAddress);
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(key, new Answer(server, System.nanoTime() + REUSE_NANOS));
            return server;
        }, false);
    }

    /** Drops a remembered answer: connecting where it said failed, so the gateway is asked again next time. */
    void forget(SandboxName sandbox, Port port) {
        remembered.remove(new Key(sandbox, port));
    }

    static SocketAddress socketAddress(PortAddress address) {
        if (address instanceof PortAddress.UnixSocket unix) {
            return SocketAddress.domainSocketAddress(unix.path().toString());
        }
        throw new IllegalArgumentException("unknown port address " + address);
    }
}
