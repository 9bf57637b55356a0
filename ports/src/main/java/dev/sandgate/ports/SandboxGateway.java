package dev.sandgate.ports;

import dev.sandgate.domain.SandboxName;

/**
 * The driven port the use cases need: sandboxes, their previews and preview tokens (the control plane), and the
 * data plane of each sandbox. Implementations: the local runtime, the HTTP client. Every method reports failures
 * as {@link dev.sandgate.domain.SandgateException}s only.
 */
public interface SandboxGateway extends SandboxOperations, PreviewOperations, PreviewTokenOperations {
    /** The data plane of an existing sandbox; {@code NotFound} when it does not exist. */
    DataPlane dataPlane(SandboxName sandbox);
}
