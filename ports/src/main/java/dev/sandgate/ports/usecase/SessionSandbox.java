package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SessionConnector;
import java.time.Clock;

/** A sandbox reached with only a session: processes and files, nothing of the control plane. */
public final class SessionSandbox {
    private final Session session;
    private final SessionConnector connector;
    private final Clock clock;
    private DataPlane dataPlane;

    SessionSandbox(Session session, SessionConnector connector, Clock clock) {
        this.session = session;
        this.connector = connector;
        this.clock = clock;
    }

    public Session session() {
        return session;
    }

    /**
     * The sandbox the session opens, as its data plane names it (over HTTP, read from a Sandgate broker's session
     * URL; see the connector). Connects if not yet connected.
     */
    public dev.sandgate.domain.SandboxName sandbox() {
        return dataPlane().sandbox();
    }

    public Processes process() {
        return new Processes(dataPlane(), clock);
    }

    public Files fs() {
        return new Files(dataPlane());
    }

    private synchronized DataPlane dataPlane() {
        if (dataPlane == null) {
            dataPlane = connector.connect(session);
        }
        return dataPlane;
    }
}
