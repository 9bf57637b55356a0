package dev.sandgate.ports;

import dev.sandgate.domain.SandboxName;

/** The sandbox API of one sandbox: its processes and files. This is all a session can reach. */
public interface DataPlane extends ProcessOperations, FileOperations {
    SandboxName sandbox();
}
