package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known of a process. {@code pid} is the identifier the gateway gives it (the OS pid for the local runtime),
 * a string on the wire. {@code exitCode} and {@code completedAt} are present once it exited; a process killed by a
 * signal reports 128 + the signal number. {@code outOfMemory} says that the process ended because the kernel killed it
 * for lack of memory (its sandbox reached its {@code memory}); such a process is {@code failed} with code 137.
 * {@code startedBy} names the session that started the process (the name of its port-443 preview), as the broker's
 * access decision resolved it; empty for a process started with the API key or in process.
 */
public record ProcessInfo(String pid, ProcessName name, String command, ProcessStatus status,
                          Optional<Integer> exitCode, SandboxPath workingDir, Instant startedAt,
                          Optional<Instant> completedAt, int restartCount, boolean keepAlive,
                          boolean restartOnFailure, int maxRestarts, boolean outOfMemory,
                          Optional<PreviewName> startedBy) {
    public ProcessInfo {
        Objects.requireNonNull(startedBy, "startedBy must not be null");
        Objects.requireNonNull(pid, "pid must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(exitCode, "exitCode must not be null");
        Objects.requireNonNull(workingDir, "workingDir must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(completedAt, "completedAt must not be null");
        if (pid.isBlank()) {
            throw new IllegalArgumentException("pid must not be blank");
        }
        if (restartCount < 0) {
            throw new IllegalArgumentException("restartCount " + restartCount + " must not be negative");
        }
        completedAt.ifPresent(c -> {
            if (c.isBefore(startedAt)) {
                throw new IllegalArgumentException("completedAt " + c + " is before startedAt " + startedAt);
            }
        });
    }

    /** A record of a process no session started. */
    public ProcessInfo(String pid, ProcessName name, String command, ProcessStatus status, Optional<Integer> exitCode,
                       SandboxPath workingDir, Instant startedAt, Optional<Instant> completedAt, int restartCount,
                       boolean keepAlive, boolean restartOnFailure, int maxRestarts, boolean outOfMemory) {
        this(pid, name, command, status, exitCode, workingDir, startedAt, completedAt, restartCount, keepAlive,
                restartOnFailure, maxRestarts, outOfMemory, Optional.empty());
    }

    /** A record of a process that was not killed for lack of memory, and that no session started. */
    public ProcessInfo(String pid, ProcessName name, String command, ProcessStatus status, Optional<Integer> exitCode,
                       SandboxPath workingDir, Instant startedAt, Optional<Instant> completedAt, int restartCount,
                       boolean keepAlive, boolean restartOnFailure, int maxRestarts) {
        this(pid, name, command, status, exitCode, workingDir, startedAt, completedAt, restartCount, keepAlive,
                restartOnFailure, maxRestarts, false);
    }

    /** This record moved to {@code next}, refusing the transitions {@link ProcessStatus#canBecome} forbids. */
    public ProcessInfo withStatus(ProcessStatus next) {
        return new ProcessInfo(pid, name, command, status.transitionTo(next), exitCode, workingDir, startedAt,
                completedAt, restartCount, keepAlive, restartOnFailure, maxRestarts, outOfMemory, startedBy);
    }

    /** This record after the OS process exited: stopped and killed stay so, running becomes completed or failed. */
    public ProcessInfo exited(int code, Instant at) {
        return new ProcessInfo(pid, name, command, status.afterExit(code), Optional.of(code), workingDir, startedAt,
                Optional.of(at), restartCount, keepAlive, restartOnFailure, maxRestarts, outOfMemory, startedBy);
    }

    /** This record of a process that ended because the kernel killed it for lack of memory. */
    public ProcessInfo killedOutOfMemory() {
        if (status.isTerminal() && status != ProcessStatus.FAILED) {
            throw new IllegalStateException("a " + status.wireName() + " process was not killed for lack of memory");
        }
        return new ProcessInfo(pid, name, command, status, exitCode, workingDir, startedAt, completedAt, restartCount,
                keepAlive, restartOnFailure, maxRestarts, true, startedBy);
    }

    /** This record with its restart counted (the OS process behind it was started again, not out of memory). */
    public ProcessInfo restarted() {
        return new ProcessInfo(pid, name, command, status, exitCode, workingDir, startedAt, completedAt,
                restartCount + 1, keepAlive, restartOnFailure, maxRestarts, false, startedBy);
    }

    /** Whether {@code session} started this process. */
    public boolean wasStartedBy(PreviewName session) {
        return startedBy.filter(Objects.requireNonNull(session, "session must not be null")::equals).isPresent();
    }

    public boolean isRunning() {
        return status == ProcessStatus.RUNNING;
    }
}
