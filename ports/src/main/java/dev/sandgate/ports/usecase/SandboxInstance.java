package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;

/** One sandbox, reached with the master credentials: its sessions, previews, processes and files. */
public final class SandboxInstance {
    private final Sandbox sandbox;
    private final SandboxGateway gateway;
    private final Clock clock;

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
        return new Processes(gateway.dataPlane(sandbox.name()), clock);
    }

    public Files fs() {
        return new Files(gateway.dataPlane(sandbox.name()));
    }

    public Sandbox delete() {
        return gateway.deleteSandbox(sandbox.name());
    }
}
