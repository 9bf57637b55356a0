package dev.sandgate.ports;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import java.util.Optional;

/**
 * The driven port the use cases need: sandboxes, their previews and preview tokens (the control plane), and the
 * data plane of each sandbox. Implementations: the local runtime, the HTTP client. Every method reports failures
 * as {@link dev.sandgate.domain.SandgateException}s only.
 */
public interface SandboxGateway extends SandboxOperations, PreviewOperations, PreviewTokenOperations {
    /** The data plane of an existing sandbox; {@code NotFound} when it does not exist. */
    DataPlane dataPlane(SandboxName sandbox);

    /**
     * How the broker reaches {@code port} inside {@code sandbox} (previews, {@code /port/{port}}): empty when the
     * port is reached over the network the broker is configured with ({@code upstreamHost:port}: a remote
     * provider, or a local sandbox without isolation, which shares the host's network); else the address the
     * provider controls, such as a Unix socket relayed into the sandbox's own network namespace. May block (it may
     * start the relay): call it off the event loop. {@code NotFound} when the sandbox does not exist.
     */
    default Optional<PortAddress> portAddress(SandboxName sandbox, Port port) {
        return Optional.empty();
    }
}
