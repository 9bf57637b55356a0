package dev.sandgate.ports.access;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.ForwardingDataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.util.List;
import java.util.Objects;

/**
 * A sandbox's data plane as a session limited to its own processes sees it ({@link AccessDecision#processesLimitedTo}):
 * the list holds only the processes that session started, and an identifier (a pid, or a name: the most recently
 * started of <em>its</em> processes with it) is resolved among those alone, then handed to the sandbox as that
 * process's pid, so that a name another session's process also bears never reaches the other one. A process of
 * another session is answered exactly as one that does not exist: {@code NotFound} with the same message, whichever
 * of the two it is, so that a session cannot probe the names or pids of others. Files and exec pass through
 * (the broker records who started a process before it is exec'd).
 */
public final class OwnedProcesses extends ForwardingDataPlane {
    /** The message of every process this view does not hold, as the local runtime words a missing one. */
    static final String NOT_FOUND = "process not found";

    private final DataPlane sandbox;
    private final PreviewName session;

    private OwnedProcesses(DataPlane sandbox, PreviewName session) {
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox must not be null");
        this.session = Objects.requireNonNull(session, "session must not be null");
    }

    /** {@code sandbox} as {@code grant} may reach it: limited to its session's processes, or all of it. */
    public static DataPlane of(DataPlane sandbox, AccessDecision.Grant grant) {
        return AccessDecision.processesLimitedTo(grant).<DataPlane>map(s -> new OwnedProcesses(sandbox, s))
                .orElse(sandbox);
    }

    @Override
    protected DataPlane delegate() {
        return sandbox;
    }

    @Override
    public List<ProcessInfo> listProcesses() {
        return sandbox.listProcesses().stream().filter(p -> p.wasStartedBy(session)).toList();
    }

    /** The pid of the session's process {@code identifier} names; {@code NotFound} as for an absent one. */
    private String resolve(String identifier) {
        Objects.requireNonNull(identifier, "identifier must not be null");
        List<ProcessInfo> own = listProcesses();
        for (ProcessInfo p : own) {
            if (p.pid().equals(identifier)) {
                return p.pid();
            }
        }
        for (int i = own.size() - 1; i >= 0; i--) {
            if (own.get(i).name().value().equals(identifier)) {
                return own.get(i).pid();
            }
        }
        throw new SandgateException.NotFound(NOT_FOUND);
    }

    /** What the sandbox answered for the resolved pid, if it is still the session's (else as absent). */
    private ProcessInfo owned(ProcessInfo answered) {
        if (!answered.wasStartedBy(session)) {
            throw new SandgateException.NotFound(NOT_FOUND);
        }
        return answered;
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return owned(sandbox.getProcess(resolve(identifier)));
    }

    @Override
    public ProcessInfo stopProcess(String identifier) {
        return sandbox.stopProcess(resolve(identifier));
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        return sandbox.killProcess(resolve(identifier));
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return sandbox.logs(resolve(identifier));
    }

    @Override
    public void writeStdin(String identifier, byte[] data) {
        sandbox.writeStdin(resolve(identifier), data);
    }

    @Override
    public void closeStdin(String identifier) {
        sandbox.closeStdin(resolve(identifier));
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return sandbox.streamLogs(resolve(identifier), listener);
    }

    @Override
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        return sandbox.streamLogs(resolve(identifier), cursor, listener);
    }

    @Override
    public String toString() {
        return "OwnedProcesses[" + sandbox.sandbox() + ", " + session + "]";
    }
}
