package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Session;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.audit.AuditTrail;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point applications call, written once over {@link SandboxGateway}. With the master credentials (a
 * gateway): {@link #sandboxes()}, and, given the broker's {@link AuditTrail} ({@link #withAuditTrail}), each
 * sandbox's audit trail ({@link SandboxInstance#audit}). With only a session: {@link #fromSession(Session,
 * SessionConnector)}.
 */
public final class Sandgate {
    private final SandboxGateway gateway;
    private final Clock clock;
    private final Optional<AuditTrail> audit;

    private Sandgate(SandboxGateway gateway, Clock clock, Optional<AuditTrail> audit) {
        this.gateway = Objects.requireNonNull(gateway, "gateway must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.audit = audit;
    }

    private Sandgate(SandboxGateway gateway, Clock clock) {
        this(gateway, clock, Optional.empty());
    }

    /**
     * This entry point with the audit trail the broker keeps ({@code SandgateApp.auditTrail()} in process, the HTTP
     * client's {@code auditTrail()} remotely), read with the master credentials.
     */
    public Sandgate withAuditTrail(AuditTrail trail) {
        return new Sandgate(gateway, clock, Optional.of(Objects.requireNonNull(trail, "trail must not be null")));
    }

    public static Sandgate create(SandboxGateway gateway, Clock clock) {
        return new Sandgate(gateway, clock);
    }

    public static Sandgate create(SandboxGateway gateway) {
        return new Sandgate(gateway, Clock.systemUTC());
    }

    public Sandboxes sandboxes() {
        return new Sandboxes(gateway, clock, audit);
    }

    /**
     * A sandbox reached with nothing but a session: processes and files, through {@code connector}, which sends
     * only the session token to the session URL. Makes no call until first used.
     */
    public static SessionSandbox fromSession(Session session, SessionConnector connector) {
        return fromSession(session, connector, Clock.systemUTC());
    }

    /** {@link #fromSession(Session, SessionConnector)} with the clock that bounds waits ({@code process().wait}). */
    public static SessionSandbox fromSession(Session session, SessionConnector connector, Clock clock) {
        Objects.requireNonNull(session, "session must not be null");
        Objects.requireNonNull(connector, "connector must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        return new SessionSandbox(session, connector, clock);
    }
}
