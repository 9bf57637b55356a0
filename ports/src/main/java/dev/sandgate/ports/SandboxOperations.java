package dev.sandgate.ports;

import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import java.util.List;
import java.util.Optional;

/** The sandboxes part of {@link SandboxGateway}. */
public interface SandboxOperations {
    /** Creates a sandbox; {@code Conflict} when the name is taken. */
    Sandbox createSandbox(SandboxSpec spec);

    Optional<Sandbox> findSandbox(SandboxName name);

    /** Every sandbox, ordered by name. */
    List<Sandbox> listSandboxes();

    /** Replaces the image, memory, ports, envs and labels of an existing sandbox; {@code NotFound} otherwise. */
    Sandbox updateSandbox(SandboxSpec spec);

    /**
     * Deletes a sandbox with everything in it: processes (stopped), files, previews and their tokens.
     * Returns the sandbox as it was, with status {@code DELETING}; {@code NotFound} when it does not exist.
     */
    Sandbox deleteSandbox(SandboxName name);
}
