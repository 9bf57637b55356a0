package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;

/**
 * One sandbox, reached with the master credentials: its sessions, previews, processes and files. Its data plane is
 * opened once, on the first {@link #process()} or {@link #fs()}, and kept: over HTTP, opening it reads the sandbox's
 * data-plane URL, which no later call repeats.
 */
public final class SandboxInstance {
    private final Sandbox sandbox;
    private final SandboxGateway gateway;
    private final Clock clock;
    private DataPlane dataPlane;

    SandboxInstance(Sandbox sandbox, SandboxGateway gateway, Clock clock) {
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** The sandbox as it was when this instance was obtained. */
    public Sandbox sandbox() {
        return sandbox;
    }

    public SandboxName name() {
        return sandbox.name();
    }

    public Sessions sessions() {
        return new Sessions(sandbox.name(), gateway, clock);
    }

    public Previews previews() {
        return new Previews(sandbox.name(), gateway, clock);
    }

    public Processes process() {
        return new Processes(dataPlane(), clock);
    }

    public Files fs() {
        return new Files(dataPlane());
    }

    public Sandbox delete() {
        return gateway.deleteSandbox(sandbox.name());
    }

    private synchronized DataPlane dataPlane() {
        if (dataPlane == null) {
            dataPlane = gateway.dataPlane(sandbox.name());
        }
        return dataPlane;
    }
}
