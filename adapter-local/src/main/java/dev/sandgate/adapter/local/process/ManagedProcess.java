package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One process record: what the API shows ({@link ProcessInfo}), the OS process currently behind it (a restart
 * replaces it, the identifier stays), its output, its input pipe and its log subscribers. The record outlives the OS
 * process.
 *
 * <p>Its state changes only through the transitions below ({@link #stop}, {@link #kill}, {@link #exited},
 * {@link #restartDue}, {@link #restarted}, {@link #end}), each of which refuses what does not follow from the state
 * it finds: an ended record is never stopped, killed, restarted or ended again. The transitions decide; the caller
 * sends the signals and starts the processes they ask for, outside this record's lock. Every mutable field is
 * guarded by {@code this}; callers never take the registry's lock while holding this one.
 */
final class ManagedProcess {
    /** The exit code of a process killed with SIGKILL, which a killed process reports whatever it exited with. */
    static final int SIGKILL_EXIT_CODE = 128 + 9;

    /** What a {@link #stop} or {@link #kill} asks of the caller once the record has changed. */
    sealed interface Ending {
        /** The record had already ended (or, for a stop, was no longer running): nothing changed. */
        record NotRunning() implements Ending {
        }

        /** A restart was waiting for its back-off: it is cancelled, and the record must end with {@code code}. */
        record FinishNow(int code) implements Ending {
        }

        /** A restart is being spawned: it will see the new status and kill what it started. */
        record RestartInFlight() implements Ending {
        }

        /** The OS process to signal. */
        record Signal(Process process) implements Ending {
        }
    }

    private final String id;
    private final ProcessSpec spec;
    private final SandboxPath workingDir;
    private final Path hostDirectory;
    private final CompletableFuture<ProcessInfo> finished = new CompletableFuture<>();
    private final OutputBuffer output;
    private final Set<LogSubscriber> subscribers = new LinkedHashSet<>();
    /** Orders writes to, and the close of, the input pipe. */
    private final Object stdinLock = new Object();

    private ProcessInfo info;
    private Process current;
    private int lastExitCode;
    /** The sandbox group's OOM kill count when the current OS process was handed its command. */
    private long oomKillsBefore;
    /** Whether the kernel killed the current (or last) OS process for lack of memory. */
    private boolean outOfMemory;
    private boolean ended;
    private ScheduledFuture<?> pendingRestart;
    private ScheduledFuture<?> keepAliveKill;
    private ScheduledFuture<?> graceKill;
    /** The input pipe of the current OS process when the spec asked for {@code stdin}, else null. */
    private OutputStream stdin;
    private boolean stdinClosed;

    ManagedProcess(String id, ProcessSpec spec, SandboxPath workingDir, Path hostDirectory, ProcessInfo info,
                   Process current, int outputBufferBytes, long oomKillsBefore) {
        this.id = id;
        this.spec = spec;
        this.workingDir = workingDir;
        this.hostDirectory = hostDirectory;
        this.info = info;
        this.current = current;
        this.output = new OutputBuffer(outputBufferBytes);
        this.oomKillsBefore = oomKillsBefore;
        this.stdin = spec.stdin() ? current.getOutputStream() : null;
    }

    String id() {
        return id;
    }

    ProcessSpec spec() {
        return spec;
    }

    SandboxPath workingDir() {
        return workingDir;
    }

    Path hostDirectory() {
        return hostDirectory;
    }

    synchronized ProcessInfo info() {
        return info;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized Process current() {
        return current;
    }

    synchronized int lastExitCode() {
        return lastExitCode;
    }

    synchronized ProcessLogs logs() {
        return output.snapshot();
    }

    // ------------------------------------------------------------------------------------------------ the end

    /** Whether the record has ended and said so to those waiting for it. */
    boolean hasFinished() {
        return finished.isDone();
    }

    /** The record once it ended; a copy, so that no caller can complete it. */
    CompletableFuture<ProcessInfo> whenFinished() {
        return finished.copy();
    }

    /** The record once it ended, or as it is when {@code limit} passes first (or the wait is interrupted). */
    ProcessInfo awaitFinished(Duration limit) {
        try {
            finished.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // answer what is known now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return info();
    }

    // ------------------------------------------------------------------------------------------------ transitions

    /** A stop asked for: {@code stopped} if it was running; see {@link Ending} for what the caller must do. */
    synchronized Ending stop() {
        if (!info.isRunning() || ended) {
            return new Ending.NotRunning();
        }
        info = info.withStatus(ProcessStatus.STOPPED);
        return afterStatusChange(lastExitCode);
    }

    /** A kill asked for: {@code killed} unless it was already stopping; refused once the record ended. */
    synchronized Ending kill() {
        if (ended) {
            return new Ending.NotRunning();
        }
        if (info.isRunning()) {
            info = info.withStatus(ProcessStatus.KILLED);
        }
        return afterStatusChange(SIGKILL_EXIT_CODE);
    }

    private Ending afterStatusChange(int finishCode) {
        if (current == null && pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
            return new Ending.FinishNow(finishCode);
        }
        return current == null ? new Ending.RestartInFlight() : new Ending.Signal(current);
    }

    /** Arms the SIGKILL that follows a stop's SIGTERM, unless {@code process} is no longer the current one. */
    synchronized void armGraceKill(Process process, Supplier<ScheduledFuture<?>> schedule) {
        if (!ended && current == process) {
            graceKill = schedule.get();
        }
    }

    /** Arms the kill at the end of a keep-alive process's allowed life, unless the record ended already. */
    synchronized void armKeepAliveKill(Supplier<ScheduledFuture<?>> schedule) {
        if (!ended) {
            keepAliveKill = schedule.get();
        }
    }

    /**
     * Whether {@code process}, the current one, died of SIGKILL while the kernel OOM-killed in the sandbox's group
     * ({@code oomKills} reads the count) and nobody here killed it; if so the record remembers it.
     */
    synchronized boolean diedOfOutOfMemory(Process process, int code, LongSupplier oomKills) {
        if (current != process || code != SIGKILL_EXIT_CODE || !info.isRunning()
                || oomKills.getAsLong() <= oomKillsBefore) {
            return false;
        }
        outOfMemory = true;
        return true;
    }

    /**
     * The OS process {@code process} exited with {@code code}. A failure of a running process that may restart
     * (and {@code mayRestart}, false while shutting down) gets a restart after a back-off, which
     * {@code scheduleRestart} schedules (given the back-off in milliseconds). True when the record must now
     * {@link #end}; false when a restart is pending, or when {@code process} is not the current one any more.
     */
    synchronized boolean exited(Process process, int code, boolean mayRestart,
                                LongFunction<ScheduledFuture<?>> scheduleRestart) {
        if (current != process) {
            return false;
        }
        current = null;
        lastExitCode = code;
        if (graceKill != null) {
            graceKill.cancel(false);
            graceKill = null;
        }
        boolean restart = code != 0 && info.isRunning() && info.restartOnFailure()
                && (info.maxRestarts() < 0 || info.restartCount() < info.maxRestarts()) && mayRestart;
        if (!restart) {
            return true;
        }
        long backoff = Math.min(5_000L, 100L << Math.min(info.restartCount(), 6));
        try {
            pendingRestart = scheduleRestart.apply(backoff);
            return false;
        } catch (RejectedExecutionException e) {
            return true;
        }
    }

    /** The back-off is over: whether the restart is still wanted (not stopped, killed or ended meanwhile). */
    synchronized boolean restartDue() {
        pendingRestart = null;
        return info.isRunning() && !ended;
    }

    /**
     * {@code process} now runs behind the record (with a fresh input pipe if the spec asks for one); returns whether
     * it is still wanted: false when a stop or kill came while it was being spawned, and the caller must kill it.
     */
    synchronized boolean restarted(Process process, long oomKills) {
        if (ended || current != null) {
            throw new IllegalStateException("process " + id + " cannot take a restarted process now ("
                    + (ended ? "it ended" : "another one runs") + ")");
        }
        current = process;
        oomKillsBefore = oomKills;
        outOfMemory = false;
        if (spec.stdin()) {
            stdin = process.getOutputStream();
            stdinClosed = false;
        }
        ProcessInfo i = info;
        info = i.restarted();
        for (LogSubscriber s : subscribers) {
            s.restarted(lastExitCode, info.restartCount());
        }
        return i.isRunning();
    }

    /**
     * Ends the record for good with {@code code} (137 if it was killed) at {@code now}: cancels its timers and ends
     * its log subscriptions. Empty when it had ended already. Those waiting learn of it only from
     * {@link #announceEnd}.
     */
    synchronized Optional<ProcessInfo> end(int code, Instant now) {
        if (ended) {
            return Optional.empty();
        }
        int exitCode = info.status() == ProcessStatus.KILLED ? SIGKILL_EXIT_CODE : code;
        Instant at = now.isBefore(info.startedAt()) ? info.startedAt() : now;
        info = info.exited(exitCode, at);
        if (outOfMemory && info.status() == ProcessStatus.FAILED) {
            info = info.killedOutOfMemory();
        }
        ended = true;
        current = null;
        cancelTimers();
        for (LogSubscriber s : subscribers) {
            s.end();
        }
        subscribers.clear();
        return Optional.of(info);
    }

    /** Tells those waiting that the record ended as {@code done} (which {@link #end} returned). */
    void announceEnd(ProcessInfo done) {
        finished.complete(done);
    }

    private void cancelTimers() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {pendingRestart, keepAliveKill, graceKill}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        pendingRestart = null;
        keepAliveKill = null;
        graceKill = null;
    }

    // ------------------------------------------------------------------------------------------------ input

    /** The input pipe of the running process; refused when it was not asked for, has ended or was closed. */
    synchronized OutputStream stdin(String identifier) {
        if (!spec.stdin()) {
            throw new SandgateException.InvalidRequest("process '" + identifier + "' was not started with stdin; "
                    + "give \"stdin\": true to exec");
        }
        if (ended || current == null || stdin == null) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        if (stdinClosed) {
            throw new SandgateException.InvalidRequest("the input of process '" + identifier + "' is closed");
        }
        return stdin;
    }

    /** Marks the input closed and returns the pipe to close; empty when it was closed already. */
    synchronized Optional<OutputStream> closingStdin(String identifier) {
        if (stdinClosed) {
            return Optional.empty();
        }
        OutputStream in = stdin(identifier);
        stdinClosed = true;
        return Optional.of(in);
    }

    /** The lock that orders writes to, and the close of, the input pipe. */
    Object stdinLock() {
        return stdinLock;
    }

    // ------------------------------------------------------------------------------------------------ output

    /** Keeps a line and hands it to every subscriber; a subscriber that fell behind is forgotten. */
    synchronized void append(LogLine line, int bytes) {
        long cursor = output.add(line, bytes);
        for (Iterator<LogSubscriber> it = subscribers.iterator(); it.hasNext(); ) {
            if (!it.next().offer(line, bytes, cursor)) {
                it.remove();
            }
        }
    }

    /** Registers {@code subscriber} with a replay of the buffered output, or ends it at once if the process ended. */
    synchronized void subscribe(LogSubscriber subscriber) {
        subscriber.replay(output.replay());
        register(subscriber);
    }

    /**
     * Registers {@code subscriber} with the lines after {@code cursor} (and how many of those were dropped), or ends
     * it after them if the process ended. {@code InvalidRequest} when the cursor is not one of this process's.
     */
    synchronized void subscribe(LogSubscriber subscriber, long cursor) {
        subscriber.replay(output.after(cursor));
        register(subscriber);
    }

    private void register(LogSubscriber subscriber) {
        if (ended) {
            subscriber.end();
        } else {
            subscribers.add(subscriber);
        }
    }

    synchronized void unsubscribe(LogSubscriber subscriber) {
        subscribers.remove(subscriber);
    }

    synchronized int subscriberCount() {
        return subscribers.size();
    }
}
