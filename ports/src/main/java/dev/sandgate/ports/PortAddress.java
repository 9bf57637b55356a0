package dev.sandgate.ports;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the broker connects to reach a port inside a sandbox, as its provider says
 * ({@link SandboxGateway#portAddress}). A sandbox with a network namespace of its own has no address on the host's
 * network at all: its provider hands the broker a Unix socket it controls, which leads to the port inside.
 */
public sealed interface PortAddress {
    /** A Unix domain socket (a path on the broker's host, open only to the broker's user). */
    record UnixSocket(Path path) implements PortAddress {
        public UnixSocket {
            Objects.requireNonNull(path, "path must not be null");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("unix socket path '" + path + "' must be absolute");
            }
        }
    }
}
