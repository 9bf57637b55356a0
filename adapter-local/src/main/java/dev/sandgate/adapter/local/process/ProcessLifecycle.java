package dev.sandgate.adapter.local.process;

import dev.sandgate.adapter.local.process.ManagedProcess.Ending;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what a record's transitions ask for: watches each OS process to its exit, restarts a failed one after
 * its back-off, ends the record, signals a stop (SIGTERM, then SIGKILL after the grace period) or a kill, and kills
 * a keep-alive process at the end of its allowed life. The decisions are {@link ManagedProcess}'s; this class sends
 * the signals and starts the processes, outside the record's lock.
 */
final class ProcessLifecycle {
    /** How long a keep-alive process may run when its request names no timeout, as the wire protocol says. */
    static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofMinutes(10);
    /** The last line of a process the kernel killed for lack of memory. */
    static final String OUT_OF_MEMORY_LINE = "sandgate: the process was killed: out of memory (the sandbox reached "
            + "its memory limit)";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessLifecycle.class);

    private final SandboxName sandbox;
    private final Spawner spawner;
    private final OutputPump pump;
    private final ProcessRegistry registry;
    private final ScheduledExecutorService timers;
    private final Duration stopGracePeriod;
    private final Clock clock;

    ProcessLifecycle(SandboxName sandbox, Spawner spawner, OutputPump pump, ProcessRegistry registry,
                     ScheduledExecutorService timers, Duration stopGracePeriod, Clock clock) {
        this.sandbox = sandbox;
        this.spawner = spawner;
        this.pump = pump;
        this.registry = registry;
        this.timers = timers;
        this.stopGracePeriod = stopGracePeriod;
        this.clock = clock;
    }

    /** Reads the output of {@code process}, the current one of {@code rec}, and handles its exit. */
    void watch(ManagedProcess rec, Process process) {
        pump.attach(rec, process, this::exited);
    }

    private void exited(ManagedProcess rec, Process process, int code) {
        if (rec.diedOfOutOfMemory(process, code, spawner::oomKills)) {
            LOG.info("sandbox {}: process {} was killed for lack of memory", sandbox, rec.id());
            rec.append(LogLine.stderr(OUT_OF_MEMORY_LINE), OUT_OF_MEMORY_LINE.length());
        }
        boolean ends = rec.exited(process, code, !registry.isClosed(),
                backoff -> timers.schedule(() -> restart(rec), backoff, TimeUnit.MILLISECONDS));
        if (ends) {
            finish(rec, code);
        }
    }

    private void restart(ManagedProcess rec) {
        if (!rec.restartDue() || registry.isClosed()) {
            // stopped or killed during the back-off, or shutting down
            finish(rec, rec.lastExitCode());
            return;
        }
        Process process;
        long oomKills = spawner.oomKills();
        try {
            process = spawner.spawn(spawner.launch(rec.workingDir(), rec.hostDirectory(), rec.spec().command(),
                    rec.spec().env()), rec.spec().stdin());
        } catch (SandgateException e) {
            rec.append(LogLine.stderr("sandgate: could not restart the process: " + e.getMessage()), 0);
            finish(rec, rec.lastExitCode());
            return;
        }
        boolean stillWanted = rec.restarted(process, oomKills);
        LOG.info("sandbox {}: process {} restarted after a failure (pid now {})", sandbox, rec.id(), process.pid());
        watch(rec, process);
        if (!stillWanted || registry.isClosed()) {
            spawner.killTree(process);
        }
    }

    private void finish(ManagedProcess rec, int code) {
        Optional<ProcessInfo> ended = rec.end(code, clock.instant());
        if (ended.isEmpty()) {
            return;
        }
        ProcessInfo done = ended.get();
        registry.prune();
        LOG.debug("sandbox {}: process {} ended: {} ({})", sandbox, rec.id(), done.status().wireName(),
                done.exitCode().orElse(-1));
        // last, so that whoever waits on it sees the records already pruned
        rec.announceEnd(done);
    }

    /** Kills a keep-alive process once its timeout (default {@link #DEFAULT_KEEP_ALIVE_TIMEOUT}) has passed. */
    void limitKeepAlive(ManagedProcess rec) {
        if (!rec.spec().keepAlive()) {
            return;
        }
        Duration limit = rec.spec().timeout().orElse(DEFAULT_KEEP_ALIVE_TIMEOUT);
        if (limit.isZero()) {
            return;
        }
        try {
            rec.armKeepAliveKill(() -> timers.schedule(() -> {
                LOG.info("sandbox {}: process {} reached its keep-alive timeout of {}; killing it", sandbox, rec.id(),
                        limit);
                kill(rec);
            }, limit.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException ignored) {
            // closing
        }
    }

    /** SIGTERM now, SIGKILL after the grace period; false when the record was not running. */
    boolean stop(ManagedProcess rec) {
        Ending ending = rec.stop();
        if (ending instanceof Ending.NotRunning) {
            return false;
        }
        if (ending instanceof Ending.FinishNow now) {
            finish(rec, now.code());
            return true;
        }
        if (!(ending instanceof Ending.Signal signal)) {
            return true; // a restart is being spawned; it sees the status and kills what it started
        }
        Process process = signal.process();
        if (stopGracePeriod.isZero()) {
            spawner.killTree(process);
            return true;
        }
        spawner.terminate(process);
        try {
            rec.armGraceKill(process, () -> timers.schedule(() -> {
                if (process.isAlive()) {
                    LOG.info("sandbox {}: process {} outlived its stop grace period; killing it", sandbox, rec.id());
                    spawner.killTree(process);
                }
            }, stopGracePeriod.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            spawner.killTree(process);
        }
        return true;
    }

    /** SIGKILL to the tree; status {@code killed} unless it was already stopping. False when it had ended. */
    boolean kill(ManagedProcess rec) {
        Ending ending = rec.kill();
        if (ending instanceof Ending.NotRunning) {
            return false;
        }
        if (ending instanceof Ending.FinishNow now) {
            finish(rec, now.code());
        } else if (ending instanceof Ending.Signal signal) {
            spawner.killTree(signal.process());
        }
        return true;
    }
}
