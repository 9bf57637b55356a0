package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditTrail;
import dev.sandgate.domain.SandgateException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * One sandbox, reached with the master credentials: its sessions, previews, processes and files. Its data plane is
 * opened once, on the first {@link #process()} or {@link #fs()}, and kept: over HTTP, opening it reads the sandbox's
 * data-plane URL, which no later call repeats.
 */
public final class SandboxInstance {
    private final Sandbox sandbox;
    private final SandboxGateway gateway;
    private final Clock clock;
    private final Optional<AuditTrail> audit;
    private DataPlane dataPlane;

    SandboxInstance(Sandbox sandbox, SandboxGateway gateway, Clock clock) {
        this(sandbox, gateway, clock, Optional.empty());
    }

    SandboxInstance(Sandbox sandbox, SandboxGateway gateway, Clock clock, Optional<AuditTrail> audit) {
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.clock = clock;
        this.audit = audit;
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

    /**
     * A page of this sandbox's audit trail: every use of its sessions that {@code query} selects, oldest first.
     * {@code Unavailable} when this entry point was not given the broker's trail ({@link Sandgate#withAuditTrail}).
     */
    public AuditPage audit(AuditQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        return audit.orElseThrow(() -> new SandgateException.Unavailable("no audit trail was given to this Sandgate: "
                + "use Sandgate.withAuditTrail")).query(sandbox.name(), query);
    }

    /** The first page of this sandbox's whole audit trail. */
    public AuditPage audit() {
        return audit(AuditQuery.all());
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
