package dev.sandgate.adapter.local.process;

import dev.sandgate.adapter.local.limits.SandboxCgroup;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.ProcessOperations;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one local sandbox: real OS processes, each {@code sh -c <command>} in its own process group
 * (see {@link Isolation} for how it is started and confined).
 *
 * <ul>
 * <li><b>Identity.</b> A process is known by the OS pid of its first run, as a string; a restart keeps that
 * identifier even though the OS pid changes. It is also addressed by name: the most recently started process with
 * it. Names are unique among running processes; the default is {@code proc-<random>}.</li>
 * <li><b>Lifetime.</b> When the shell exits, whatever it left in its process group is killed (under bubblewrap the
 * PID namespace dies with it anyway), so a process's children never outlive it. {@code stop} sends SIGTERM to the
 * tree and SIGKILL after the grace period; {@code kill} sends SIGKILL; both return after waiting briefly for the
 * exit. A process killed (by {@code kill}, by the keep-alive timeout or by {@link #close()}) reports exit code 137.</li>
 * <li><b>Timeouts.</b> {@code timeout} bounds the waits of {@code exec} (default
 * {@link ProcessSettings#defaultWaitTimeout()}, zero waits forever). With {@code keepAlive} it also bounds the
 * process's life (default {@link #DEFAULT_KEEP_ALIVE_TIMEOUT}, zero means no limit). A {@code waitForPorts} that
 * times out leaves the process running; {@code waitForCompletion} that times out answers the still-running
 * process.</li>
 * <li><b>Output.</b> Kept in a bounded {@link OutputBuffer} per record (across restarts) and streamed to
 * subscribers from a dedicated callback executor; the stream of a restarted process ends only when it finally
 * stops.</li>
 * <li><b>Records</b> outlive their processes; at most {@link ProcessSettings#retainedFinishedProcesses()} finished
 * ones are kept, the oldest dropped first.</li>
 * </ul>
 * Every OS process is spawned from one long-lived thread: bubblewrap's {@code --die-with-parent} watches the thread
 * that started it, so a short-lived caller thread must never be that parent.
 *
 * <p><b>Limits.</b> Every OS process, warm shells included, starts inside the sandbox's control group (see
 * {@link dev.sandgate.adapter.local.limits.SandboxCgroup#launcher}); a process the kernel kills there for lack of
 * memory is reported as such ({@link ProcessInfo#outOfMemory()}, and a last line on stderr).
 *
 * <p><b>Warm shells.</b> After an {@code exec}, the next one's shell is started at once (see {@link WarmShell}) and
 * waits, for at most {@link ProcessSettings#warmShellIdle()}, to be handed its command: the next {@code exec} then
 * costs a write to a pipe instead of the spawn of a process. A request a warm shell cannot take is spawned as before.
 *
 * <p>This class is the facade; the work is split by responsibility: {@link ProcessRegistry} (records by identifier
 * and name, retention), {@link Spawner} (the launch and its signals), {@link WarmShellPool}, {@link OutputPump}
 * (pipes into the record), {@link ProcessInput} (stdin), {@link PortProbe} ({@code waitForPorts}) and
 * {@link ProcessLifecycle} (exits, restarts, stops and kills), over the transitions of {@link ManagedProcess}.
 */
public final class LocalProcesses implements ProcessOperations, AutoCloseable {
    /** How long a keep-alive process may run when its request names no timeout, as the wire protocol says. */
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = ProcessLifecycle.DEFAULT_KEEP_ALIVE_TIMEOUT;

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcesses.class);
    private static final Duration STOP_ANSWER_WAIT = Duration.ofSeconds(1);
    private static final Duration KILL_ANSWER_WAIT = Duration.ofSeconds(2);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final SandboxName sandbox;
    private final ProcessSettings settings;
    private final Clock clock;
    private final ProcessThreads threads;
    private final Spawner spawner;
    private final ProcessRegistry registry;
    private final WarmShellPool warmShells;
    private final ProcessLifecycle lifecycle;
    private final ProcessInput input;
    private final PortProbe ports;

    public LocalProcesses(SandboxName sandbox, Path sandboxRoot, ProcessSettings settings, Isolation isolation,
                          Clock clock) {
        this(sandbox, sandboxRoot, settings, isolation, clock, SandboxCgroup.none());
    }

    /** As above, with every process (warm shells included) started inside {@code cgroup}, and its limits. */
    public LocalProcesses(SandboxName sandbox, Path sandboxRoot, ProcessSettings settings, Isolation isolation,
                          Clock clock, SandboxCgroup cgroup) {
        this(sandbox, sandboxRoot, settings, isolation, clock, cgroup, SandboxNetwork.shared().namespace(sandbox));
    }

    /** As above, with every process in {@code network}: the sandbox's own network namespace, or the host's. */
    public LocalProcesses(SandboxName sandbox, Path sandboxRoot, ProcessSettings settings, Isolation isolation,
                          Clock clock, SandboxCgroup cgroup, NetworkNamespace network) {
        Objects.requireNonNull(network, "network must not be null");
        Objects.requireNonNull(cgroup, "cgroup must not be null");
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox must not be null");
        Path root = Objects.requireNonNull(sandboxRoot, "sandboxRoot must not be null").toAbsolutePath();
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(isolation, "isolation must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.threads = new ProcessThreads(sandbox);
        this.spawner = new Spawner(sandbox, root, isolation, cgroup, network, threads.spawner);
        this.registry = new ProcessRegistry(settings.retainedFinishedProcesses(), spawner::closed);
        this.warmShells = new WarmShellPool(sandbox, root, spawner, threads.timers, settings.warmShellIdle());
        OutputPump pump = new OutputPump(sandbox, spawner, threads.io, settings.outputBufferBytes());
        this.lifecycle = new ProcessLifecycle(sandbox, spawner, pump, registry, threads.timers,
                settings.stopGracePeriod(), clock);
        this.input = new ProcessInput(threads.io, spawner::closed);
        this.ports = new PortProbe(network, threads.timers, spawner::closed);
    }

    public SandboxName sandbox() {
        return sandbox;
    }

    // ---------------------------------------------------------------------------------------------------- exec

    @Override
    public ProcessInfo exec(ProcessSpec spec) {
        try {
            return execAsync(spec).toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SandgateException failure) {
                throw failure;
            }
            throw new SandgateException.Unavailable("waiting for the process failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while waiting for the process", e);
        }
    }

    /**
     * Starts the process on the calling thread; its waits hold no thread: the exit is the record's future, and
     * ports are polled by the sandbox's timer every {@value PortProbe#PORT_POLL_MILLIS} ms.
     */
    @Override
    public CompletableFuture<ProcessInfo> execAsync(ProcessSpec spec) {
        ManagedProcess rec = launch(spec);
        Optional<Duration> waitLimit = waitLimit(spec);
        CompletableFuture<Void> open = spec.waitForPorts().isEmpty() ? CompletableFuture.completedFuture(null)
                : ports.awaitPorts(rec, spec.waitForPorts(), waitLimit);
        return open.thenCompose(v -> spec.waitForCompletion() ? awaitEnd(rec, waitLimit)
                : CompletableFuture.completedFuture(rec.info()));
    }

    private ManagedProcess launch(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        SandboxPath workingDir = spec.workingDir().orElse(SandboxPath.ROOT);
        Path hostDir = spawner.hostDirectory(workingDir, spec.command());
        spawner.prepare();
        ProcessName name = spec.name().orElseGet(LocalProcesses::randomName);
        Launch launch = spawner.launch(workingDir, hostDir, spec.command(), spec.env());
        String shellDir = spawner.shellDirectory(workingDir, hostDir);
        boolean[] viaWarmShell = {false};
        Instant[] startedAt = new Instant[1];
        long[] oomKills = new long[1];
        ManagedProcess rec = registry.register(name, () -> {
            startedAt[0] = clock.instant();
            oomKills[0] = spawner.oomKills();
            Optional<Process> warm = warmShells.take(shellDir, spec);
            viaWarmShell[0] = warm.isPresent();
            return warm.orElseGet(() -> spawner.spawn(launch, spec.stdin()));
        }, (id, process) -> {
            ProcessInfo info = new ProcessInfo(id, name, spec.command(), ProcessStatus.RUNNING, Optional.empty(),
                    workingDir, startedAt[0], Optional.empty(), 0, spec.keepAlive(), spec.restartOnFailure(),
                    spec.maxRestarts(), false, spec.startedBy());
            ManagedProcess made = new ManagedProcess(id, spec, workingDir, hostDir, info, process,
                    settings.outputBufferBytes(), oomKills[0]);
            lifecycle.watch(made, process);
            warmShells.replenish();
            return made;
        });
        LOG.info("sandbox {}: process '{}' started with pid {} ({}{})", sandbox, name, rec.id(),
                spawner.isolation().inForce().wireName(), viaWarmShell[0] ? ", warm shell" : "");
        lifecycle.limitKeepAlive(rec);
        return rec;
    }

    private static ProcessName randomName() {
        return ProcessName.of("proc-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL));
    }

    private Optional<Duration> waitLimit(ProcessSpec spec) {
        Duration limit = spec.timeout().orElse(settings.defaultWaitTimeout());
        return limit.isZero() ? Optional.empty() : Optional.of(limit);
    }

    /** The process once it ended, or as it is when the limit passes first. */
    private static CompletableFuture<ProcessInfo> awaitEnd(ManagedProcess rec, Optional<Duration> limit) {
        CompletableFuture<ProcessInfo> ended = rec.whenFinished().thenApply(info -> rec.info());
        if (limit.isEmpty()) {
            return ended;
        }
        return ended.completeOnTimeout(null, limit.get().toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(info -> info == null ? rec.info() : info);
    }

    // ---------------------------------------------------------------------------------------------------- queries

    @Override
    public List<ProcessInfo> listProcesses() {
        return registry.all().stream().map(ManagedProcess::info).toList();
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return registry.find(identifier).info();
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return registry.find(identifier).logs();
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return subscribe(identifier, listener, OptionalLong.empty());
    }

    @Override
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        return subscribe(identifier, listener, OptionalLong.of(cursor));
    }

    private LogSubscription subscribe(String identifier, LogListener listener, OptionalLong cursor) {
        Objects.requireNonNull(listener, "listener must not be null");
        ManagedProcess rec = registry.find(identifier);
        LogSubscriber[] self = new LogSubscriber[1];
        LogSubscriber subscriber = new LogSubscriber(listener, threads.callbacks, settings.subscriberQueueLines(),
                settings.outputBufferBytes(), () -> rec.unsubscribe(self[0]));
        self[0] = subscriber;
        if (cursor.isPresent()) {
            rec.subscribe(subscriber, cursor.getAsLong());
        } else {
            rec.subscribe(subscriber);
        }
        subscriber.start();
        return subscriber;
    }

    // ---------------------------------------------------------------------------------------------------- stdin

    @Override
    public void writeStdin(String identifier, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        input.write(registry.find(identifier), identifier, data);
    }

    @Override
    public void closeStdin(String identifier) {
        input.close(registry.find(identifier), identifier);
    }

    // ---------------------------------------------------------------------------------------------------- stop/kill

    @Override
    public ProcessInfo stopProcess(String identifier) {
        ManagedProcess rec = registry.find(identifier);
        if (!lifecycle.stop(rec)) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        return rec.awaitFinished(settings.stopGracePeriod().compareTo(STOP_ANSWER_WAIT) < 0
                ? settings.stopGracePeriod().plusMillis(500) : STOP_ANSWER_WAIT);
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        ManagedProcess rec = registry.find(identifier);
        if (!lifecycle.kill(rec)) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        return rec.awaitFinished(KILL_ANSWER_WAIT);
    }

    /** Stops every running process gracefully (SIGTERM, SIGKILL after the grace period) and waits for them. */
    public void stopAll() {
        List<ManagedProcess> all = registry.all();
        all.forEach(lifecycle::stop);
        awaitAll(all, settings.stopGracePeriod().plus(CLOSE_WAIT));
    }

    /**
     * Kills every running process of the sandbox (SIGKILL to their groups), waits a bounded time for them to exit,
     * and releases the threads. Processes cannot be started afterwards. Idempotent.
     */
    @Override
    public void close() {
        if (!registry.close()) {
            return;
        }
        warmShells.close();
        List<ManagedProcess> all = registry.all();
        all.forEach(lifecycle::kill);
        awaitAll(all, CLOSE_WAIT);
        threads.shutdown();
    }

    private static void awaitAll(List<ManagedProcess> all, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ManagedProcess rec : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                rec.whenFinished().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // bounded: give up on this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- for tests

    /** Starts the warm shell now rather than after the first exec, and waits until it runs (for tests). */
    void prestartWarmShell() {
        spawner.prepare();
        warmShells.replenish();
        warmShells.waiting();
    }

    /** How many execs a warm shell has run (for tests). */
    int warmShellsUsed() {
        return warmShells.used();
    }

    /** The warm shell waiting for the next exec, once started (for tests). */
    Optional<Process> warmShell() {
        return warmShells.waiting();
    }

    /** Live log subscriptions of a process (for tests). */
    int subscriberCount(String identifier) {
        return registry.find(identifier).subscriberCount();
    }

    /** The OS pid currently behind a process, if it runs (for tests). */
    OptionalLong osPid(String identifier) {
        Process p = registry.find(identifier).current();
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
    }

    @Override
    public String toString() {
        return "LocalProcesses[" + sandbox + ", " + spawner.isolation().inForce().wireName() + "]";
    }
}
