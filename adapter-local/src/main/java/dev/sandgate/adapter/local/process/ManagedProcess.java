package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxPath;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One process record: what the API shows ({@link ProcessInfo}), the OS process currently behind it (a restart
 * replaces it, the identifier stays), its output and its log subscribers. The record outlives the OS process.
 * Every mutable field is guarded by {@code this}; callers never take the owning {@link LocalProcesses}' lock while
 * holding this one.
 */
final class ManagedProcess {
    final String id;
    final ProcessSpec spec;
    final SandboxPath workingDir;
    final Path hostDirectory;
    final CompletableFuture<ProcessInfo> finished = new CompletableFuture<>();

    private final OutputBuffer output;
    private final Set<LogSubscriber> subscribers = new LinkedHashSet<>();

    ProcessInfo info;
    Process current;
    int lastExitCode;
    /** The sandbox group's OOM kill count when the current OS process was handed its command. */
    long oomKillsBefore;
    /** Whether the kernel killed the current (or last) OS process for lack of memory. */
    boolean outOfMemory;
    boolean ended;
    ScheduledFuture<?> pendingRestart;
    ScheduledFuture<?> keepAliveKill;
    ScheduledFuture<?> graceKill;
    /** The input pipe of the current OS process when the spec asked for {@code stdin}, else null. */
    java.io.OutputStream stdin;
    boolean stdinClosed;
    /** Orders writes to, and the close of, the input pipe. */
    final Object stdinLock = new Object();

    ManagedProcess(String id, ProcessSpec spec, SandboxPath workingDir, Path hostDirectory, ProcessInfo info,
                   Process current, int outputBufferBytes) {
        this.id = id;
        this.spec = spec;
        this.workingDir = workingDir;
        this.hostDirectory = hostDirectory;
        this.info = info;
        this.current = current;
        this.output = new OutputBuffer(outputBufferBytes);
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

    synchronized ProcessLogs logs() {
        return output.snapshot();
    }

    /** Keeps a line and hands it to every subscriber; a subscriber that fell behind is forgotten. */
    synchronized void append(LogLine line, int bytes) {
        output.add(line, bytes);
        for (Iterator<LogSubscriber> it = subscribers.iterator(); it.hasNext(); ) {
            if (!it.next().offer(line, bytes)) {
                it.remove();
            }
        }
    }

    /** Registers {@code subscriber} with a replay of the buffered output, or ends it at once if the process ended. */
    synchronized void subscribe(LogSubscriber subscriber) {
        List<LogLine> replay = output.replay();
        subscriber.replay(replay);
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

    /** Ends every subscription after the lines already queued; called once, when the record ends. */
    synchronized void endSubscribers() {
        for (LogSubscriber s : subscribers) {
            s.end();
        }
        subscribers.clear();
    }

    synchronized void cancelTimers() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {pendingRestart, keepAliveKill, graceKill}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        pendingRestart = null;
        keepAliveKill = null;
        graceKill = null;
    }

    synchronized int lastExitCodeSafe() {
        return lastExitCode;
    }
}
