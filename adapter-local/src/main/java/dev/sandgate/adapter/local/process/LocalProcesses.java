package dev.sandgate.adapter.local.process;

// Over 400 lines: registry, spawner, warm-shell pool, output pump, stdin, port probe and waits still live here; issue 12 asks for that split (state transitions into ManagedProcess), which is not done yet.

import dev.sandgate.adapter.local.limits.SandboxCgroup;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.Port;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
 */
public final class LocalProcesses implements ProcessOperations, AutoCloseable {
    /** How long a keep-alive process may run when its request names no timeout, as the wire protocol says. */
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcesses.class);
    private static final int SIGKILL_EXIT_CODE = 128 + 9;
    /** The last line of a process the kernel killed for lack of memory. */
    static final String OUT_OF_MEMORY_LINE = "sandgate: the process was killed: out of memory (the sandbox reached "
            + "its memory limit)";
    /** How long the output may take to close on its own before leftovers of the group are killed. */
    private static final Duration QUICK_DRAIN = Duration.ofMillis(50);
    private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);
    private static final Duration STOP_ANSWER_WAIT = Duration.ofSeconds(1);
    private static final Duration KILL_ANSWER_WAIT = Duration.ofSeconds(2);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final long PORT_POLL_MILLIS = 50;
    private static final int MAX_MESSAGE_COMMAND = 200;
    /** How long an exec waits for a warm shell still being started before it spawns its own process. */
    private static final Duration WARM_SHELL_WAIT = Duration.ofSeconds(10);
    /** How long a write to a process's input may wait for the process to read it. */
    private static final Duration STDIN_WAIT = Duration.ofSeconds(5);

    private final SandboxName sandbox;
    private final Path sandboxRoot;
    private final ProcessSettings settings;
    private final Isolation isolation;
    private final NetworkNamespace network;
    private final Clock clock;
    private final SandboxCgroup cgroup;

    private final ExecutorService spawner;
    private final ExecutorService io;
    private final ExecutorService callbacks;
    private final ScheduledThreadPoolExecutor timers;

    // guarded by this; insertion order is start order
    private final LinkedHashMap<String, ManagedProcess> records = new LinkedHashMap<>();
    private volatile boolean closed;
    private int idCollisions;
    // guarded by this: the shell the next exec hands its command to (see WarmShell), and its retirement
    private CompletableFuture<Process> warmShell;
    private java.util.concurrent.ScheduledFuture<?> warmShellRetirement;
    private int warmShellsUsed;

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
        this.network = Objects.requireNonNull(network, "network must not be null");
        this.cgroup = Objects.requireNonNull(cgroup, "cgroup must not be null");
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox must not be null");
        this.sandboxRoot = Objects.requireNonNull(sandboxRoot, "sandboxRoot must not be null").toAbsolutePath();
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        this.isolation = Objects.requireNonNull(isolation, "isolation must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        String prefix = "sandgate-" + sandbox.value();
        this.spawner = Executors.newSingleThreadExecutor(threads(prefix + "-spawn"));
        this.io = Executors.newCachedThreadPool(threads(prefix + "-io"));
        this.callbacks = Executors.newCachedThreadPool(threads(prefix + "-logs"));
        this.timers = new ScheduledThreadPoolExecutor(1, threads(prefix + "-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
     * Starts the process on the calling thread; its waits hold no thread: the exit is {@link Process#onExit()}'s
     * future, and ports are polled by the sandbox's timer every {@value #PORT_POLL_MILLIS} ms.
     */
    @Override
    public CompletableFuture<ProcessInfo> execAsync(ProcessSpec spec) {
        ManagedProcess rec = launch(spec);
        Optional<Duration> waitLimit = waitLimit(spec);
        CompletableFuture<Void> ports = spec.waitForPorts().isEmpty() ? CompletableFuture.completedFuture(null)
                : awaitPorts(rec, spec.waitForPorts(), waitLimit);
        return ports.thenCompose(open -> spec.waitForCompletion() ? awaitEnd(rec, waitLimit)
                : CompletableFuture.completedFuture(rec.info()));
    }

    private ManagedProcess launch(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        SandboxPath workingDir = spec.workingDir().orElse(SandboxPath.ROOT);
        Path hostDir = resolveWorkingDir(workingDir, spec.command());
        isolation.prepare(sandboxRoot);
        ProcessName name = spec.name().orElseGet(LocalProcesses::randomName);
        Launch launch = isolation.launch(sandboxRoot, workingDir, hostDir, spec.command(), spec.env());
        String shellDir = isolation.inForce() == IsolationMode.BWRAP ? workingDir.value() : hostDir.toString();

        ManagedProcess rec;
        boolean viaWarmShell;
        synchronized (this) {
            ensureOpen();
            for (ManagedProcess other : records.values()) {
                ProcessInfo info = other.info();
                if (info.isRunning() && info.name().equals(name)) {
                    throw new SandgateException.Conflict("process with name '" + name + "' already exists and is "
                            + "running");
                }
            }
            Instant startedAt = clock.instant();
            long oomKills = cgroup.oomKills();
            Optional<Process> warm = takeWarmShell(shellDir, spec);
            viaWarmShell = warm.isPresent();
            Process process = warm.orElseGet(() -> spawn(launch, spec.stdin()));
            String id = idFor(process.pid());
            ProcessInfo info = new ProcessInfo(id, name, spec.command(), ProcessStatus.RUNNING, Optional.empty(),
                    workingDir, startedAt, Optional.empty(), 0, spec.keepAlive(), spec.restartOnFailure(),
                    spec.maxRestarts());
            rec = new ManagedProcess(id, spec, workingDir, hostDir, info, process, settings.outputBufferBytes());
            rec.stdin = spec.stdin() ? process.getOutputStream() : null;
            rec.oomKillsBefore = oomKills;
            records.put(id, rec);
            attach(rec, process);
            startWarmShell();
        }
        LOG.info("sandbox {}: process '{}' started with pid {} ({}{})", sandbox, name, rec.id,
                isolation.inForce().wireName(), viaWarmShell ? ", warm shell" : "");
        scheduleKeepAliveKill(rec);
        return rec;
    }

    private Path resolveWorkingDir(SandboxPath workingDir, String command) {
        Path host = Isolation.hostPath(sandboxRoot, workingDir);
        if (!Files.isDirectory(host)) {
            throw SandgateException.InvalidRequest.unprocessable("could not execute command '" + shorten(command)
                    + "' because folder '" + workingDir + "' does not exist");
        }
        try {
            Path real = host.toRealPath();
            if (!real.startsWith(sandboxRoot.toRealPath())) {
                throw new SandgateException.InvalidRequest("working directory '" + workingDir
                        + "' leads outside the sandbox");
            }
            return real;
        } catch (IOException e) {
            throw SandgateException.InvalidRequest.unprocessable("could not execute command '" + shorten(command)
                    + "' because folder '" + workingDir + "' does not exist");
        }
    }

    private static String shorten(String command) {
        return command.length() <= MAX_MESSAGE_COMMAND ? command : command.substring(0, MAX_MESSAGE_COMMAND) + "…";
    }

    private static ProcessName randomName() {
        return ProcessName.of("proc-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL));
    }

    private String idFor(long pid) {
        String id = Long.toString(pid);
        ManagedProcess existing = records.get(id);
        if (existing == null) {
            return id;
        }
        if (existing.isEnded()) {
            records.remove(id);
            return id;
        }
        // the OS reused the pid of a process whose record still runs under it (after a restart)
        return id + "-" + (++idCollisions);
    }

    /** Starts {@code launch} on the spawner thread; its stdin is /dev/null, or a pipe if asked. */
    private Process spawn(Launch launch, boolean stdinPipe) {
        Future<Process> started;
        try {
            started = spawner.submit(() -> launch.start(stdinPipe, line -> network.wrap(cgroup.launcher(line))));
        } catch (RejectedExecutionException e) {
            throw closedError();
        }
        try {
            return started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new SandgateException.Unavailable("could not start the process: "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while starting the process", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- warm shell

    /**
     * Hands the command to the warm shell, if there is one and the request suits it (see {@link WarmShell}); the
     * shell then becomes the process. Holds {@code this}. Empty when the caller must spawn the process itself.
     */
    private Optional<Process> takeWarmShell(String directory, ProcessSpec spec) {
        if (warmShell == null) {
            return Optional.empty();
        }
        Optional<byte[]> request = WarmShell.request(directory, isolation.environment(spec.env()), spec.command(),
                spec.stdin());
        if (request.isEmpty()) {
            return Optional.empty(); // keep the shell for an exec that suits it
        }
        CompletableFuture<Process> next = warmShell;
        warmShell = null;
        cancelWarmShellRetirement();
        Process shell;
        try {
            // a shell still being started is ready sooner than one spawned after it on the same thread
            shell = next.get(WARM_SHELL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            retire(next);
            return Optional.empty();
        } catch (ExecutionException e) {
            LOG.debug("sandbox {}: the warm shell could not be started: {}", sandbox, e.getCause().toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retire(next);
            return Optional.empty();
        }
        if (!shell.isAlive()) {
            return Optional.empty();
        }
        try {
            OutputStream in = shell.getOutputStream();
            in.write(request.get());
            if (spec.stdin()) {
                in.flush(); // the pipe stays open: it is the command's input from here on
            } else {
                in.close();
            }
        } catch (IOException e) {
            LOG.debug("sandbox {}: the warm shell did not take its command: {}", sandbox, e.getMessage());
            shell.destroyForcibly();
            return Optional.empty();
        }
        warmShellsUsed++;
        return Optional.of(shell);
    }

    /** Starts the shell the next exec will use, unless one is there or they are off. Holds {@code this}. */
    private void startWarmShell() {
        Duration idle = settings.warmShellIdle();
        if (closed || idle.isZero() || warmShell != null) {
            return;
        }
        Launch launch = isolation.launch(sandboxRoot, SandboxPath.ROOT, sandboxRoot, WarmShell.SCRIPT, Map.of());
        CompletableFuture<Process> next;
        try {
            next = CompletableFuture.supplyAsync(() -> {
                try {
                    return launch.start(true, line -> network.wrap(cgroup.launcher(line)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, spawner);
        } catch (RejectedExecutionException e) {
            return; // shutting down
        }
        try {
            warmShellRetirement = timers.schedule(() -> retireIfIdle(next), idle.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            retire(next); // shutting down: the shell must not wait for a command that never comes
            return;
        }
        warmShell = next;
    }

    private void retireIfIdle(CompletableFuture<Process> shell) {
        synchronized (this) {
            if (warmShell != shell) {
                return;
            }
            warmShell = null;
            warmShellRetirement = null;
        }
        retire(shell);
    }

    private void cancelWarmShellRetirement() {
        if (warmShellRetirement != null) {
            warmShellRetirement.cancel(false);
            warmShellRetirement = null;
        }
    }

    /** Closes the shell's input once it is started: it exits at once, with {@link WarmShell#RETIRED_EXIT_CODE}. */
    private static CompletableFuture<Process> retire(CompletableFuture<Process> shell) {
        return shell.thenCompose(p -> {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                p.destroyForcibly();
            }
            return p.onExit();
        });
    }

    /** Starts the warm shell now rather than after the first exec, and waits until it runs (for tests). */
    void prestartWarmShell() {
        synchronized (this) {
            isolation.prepare(sandboxRoot);
            startWarmShell();
        }
        warmShell();
    }

    /** How many execs a warm shell has run (for tests). */
    synchronized int warmShellsUsed() {
        return warmShellsUsed;
    }

    /** The warm shell waiting for the next exec, once started (for tests). */
    Optional<Process> warmShell() {
        CompletableFuture<Process> shell;
        synchronized (this) {
            shell = warmShell;
        }
        if (shell == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(shell.get(WARM_SHELL_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private Optional<Duration> waitLimit(ProcessSpec spec) {
        Duration limit = spec.timeout().orElse(settings.defaultWaitTimeout());
        return limit.isZero() ? Optional.empty() : Optional.of(limit);
    }

    /** Completes once every port accepts connections; fails when the process exits or the limit passes first. */
    private CompletableFuture<Void> awaitPorts(ManagedProcess rec, List<Port> ports, Optional<Duration> limit) {
        long deadline = limit.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        Set<Port> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable check = () -> {
            if (done.isDone()) {
                return;
            }
            for (Port port : ports) {
                if (!open.contains(port) && network.accepts(port)) {
                    open.add(port);
                }
            }
            if (open.size() == ports.size()) {
                done.complete(null);
            } else if (rec.finished.isDone()) {
                ProcessInfo info = rec.info();
                done.completeExceptionally(SandgateException.InvalidRequest.unprocessable("process exited with code "
                        + info.exitCode().map(String::valueOf).orElse("?") + " before ports " + ports
                        + " accepted connections"));
            } else if (limit.isPresent() && System.nanoTime() - deadline >= 0) {
                done.completeExceptionally(SandgateException.InvalidRequest.unprocessable("process timed out "
                        + "waiting for ports after " + seconds(limit.get()) + " seconds"));
            }
        };
        try {
            java.util.concurrent.ScheduledFuture<?> polling = timers.scheduleWithFixedDelay(check, 0,
                    PORT_POLL_MILLIS, TimeUnit.MILLISECONDS);
            done.whenComplete((v, t) -> polling.cancel(false));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(closedError());
        }
        return done;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }

    /** The process once it ended, or as it is when the limit passes first. */
    private CompletableFuture<ProcessInfo> awaitEnd(ManagedProcess rec, Optional<Duration> limit) {
        CompletableFuture<ProcessInfo> ended = rec.finished.thenApply(info -> rec.info());
        if (limit.isEmpty()) {
            return ended;
        }
        return ended.completeOnTimeout(null, limit.get().toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(info -> info == null ? rec.info() : info);
    }

    private static void awaitQuietly(ManagedProcess rec, Duration limit) {
        try {
            rec.finished.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // answer what is known now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleKeepAliveKill(ManagedProcess rec) {
        if (!rec.spec.keepAlive()) {
            return;
        }
        Duration limit = rec.spec.timeout().orElse(DEFAULT_KEEP_ALIVE_TIMEOUT);
        if (limit.isZero()) {
            return;
        }
        synchronized (rec) {
            if (rec.ended) {
                return;
            }
            try {
                rec.keepAliveKill = timers.schedule(() -> {
                    LOG.info("sandbox {}: process {} reached its keep-alive timeout of {}; killing it", sandbox, rec.id,
                            limit);
                    killRecord(rec);
                }, limit.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ignored) {
                // closing
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- output

    private void attach(ManagedProcess rec, Process process) {
        CompletableFuture<Void> out = CompletableFuture.runAsync(
                () -> pump(rec, process.getInputStream(), LogStream.STDOUT), io);
        CompletableFuture<Void> err = CompletableFuture.runAsync(
                () -> pump(rec, process.getErrorStream(), LogStream.STDERR), io);
        // A thread of its own waits for the exit: Process.onExit() would hop through the common pool first.
        Runnable waiter = () -> {
            awaitExit(process);
            exited(rec, process, out, err);
        };
        try {
            io.execute(waiter);
        } catch (RejectedExecutionException e) {
            process.onExit().whenComplete((p, t) -> exited(rec, process, out, err));
        }
    }

    private static void awaitExit(Process process) {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the pool is shutting down; the exit must still be recorded
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(ManagedProcess rec, InputStream in, LogStream stream) {
        int maxLine = OutputBuffer.maxLineBytes(settings.outputBufferBytes());
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, start, i - start);
                        emit(rec, stream, line);
                        start = i + 1;
                    } else if (line.size() + (i - start + 1) >= maxLine) {
                        line.write(buf, start, i - start + 1);
                        emit(rec, stream, line);
                        start = i + 1;
                    }
                }
                line.write(buf, start, n - start);
            }
        } catch (IOException e) {
            // the pipe closed under us: the process is gone
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: reading the output of process {} failed", sandbox, rec.id, e);
        }
        if (line.size() > 0) {
            emit(rec, stream, line);
        }
    }

    private static void emit(ManagedProcess rec, LogStream stream, ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        rec.append(new LogLine(stream, new String(bytes, 0, length, StandardCharsets.UTF_8)), bytes.length);
    }

    // ---------------------------------------------------------------------------------------------------- exit

    private void exited(ManagedProcess rec, Process process, CompletableFuture<Void> out, CompletableFuture<Void> err) {
        int code = process.exitValue();
        // What the shell left in its group dies with it (under bwrap, the PID namespace already saw to that).
        // Signalling the group spawns a program, which costs as much as the process itself did, so it happens
        // before the answer only when a leftover still holds the output open; otherwise just after it.
        boolean killGroup = isolation.leadsProcessGroup() && isolation.inForce() == IsolationMode.NONE;
        if (!drained(out, err, QUICK_DRAIN)) {
            if (killGroup) {
                Signals.group(process.pid(), "KILL");
                killGroup = false;
            }
            if (!drained(out, err, DRAIN_AFTER_EXIT)) {
                LOG.debug("sandbox {}: output of process {} still open after its exit", sandbox, rec.id);
            }
        }
        try {
            afterExit(rec, process, code);
        } finally {
            if (killGroup) {
                Signals.group(process.pid(), "KILL");
            }
        }
    }

    private static boolean drained(CompletableFuture<Void> out, CompletableFuture<Void> err, Duration patience) {
        try {
            CompletableFuture.allOf(out, err).get(patience.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void afterExit(ManagedProcess rec, Process process, int code) {
        boolean restart;
        reportOutOfMemory(rec, process, code);
        synchronized (rec) {
            if (rec.current != process) {
                return;
            }
            rec.current = null;
            rec.lastExitCode = code;
            if (rec.graceKill != null) {
                rec.graceKill.cancel(false);
                rec.graceKill = null;
            }
            ProcessInfo info = rec.info;
            restart = code != 0 && info.isRunning() && info.restartOnFailure()
                    && (info.maxRestarts() < 0 || info.restartCount() < info.maxRestarts()) && !closed;
            if (restart) {
                long backoff = Math.min(5_000L, 100L << Math.min(info.restartCount(), 6));
                try {
                    rec.pendingRestart = timers.schedule(() -> restart(rec), backoff, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    restart = false;
                }
            }
        }
        if (!restart) {
            finish(rec, code);
        }
    }

    /**
     * A process that died of SIGKILL while the kernel OOM-killed in its sandbox's group, and that nobody here killed,
     * was killed for lack of memory: its record says so (status {@code failed}, exit code 137) and its output ends
     * with a line that says why.
     */
    private void reportOutOfMemory(ManagedProcess rec, Process process, int code) {
        synchronized (rec) {
            if (rec.current != process || code != SIGKILL_EXIT_CODE || !rec.info.isRunning()
                    || cgroup.oomKills() <= rec.oomKillsBefore) {
                return;
            }
            rec.outOfMemory = true;
        }
        LOG.info("sandbox {}: process {} was killed for lack of memory", sandbox, rec.id);
        rec.append(LogLine.stderr(OUT_OF_MEMORY_LINE), OUT_OF_MEMORY_LINE.length());
    }

    private void restart(ManagedProcess rec) {
        boolean wanted;
        synchronized (rec) {
            rec.pendingRestart = null;
            wanted = rec.info.isRunning() && !rec.ended;
        }
        if (!wanted || closed) {
            // stopped or killed during the back-off, or shutting down
            finish(rec, rec.lastExitCodeSafe());
            return;
        }
        Process process;
        long oomKills = cgroup.oomKills();
        try {
            process = spawn(isolation.launch(sandboxRoot, rec.workingDir, rec.hostDirectory, rec.spec.command(),
                    rec.spec.env()), rec.spec.stdin());
        } catch (SandgateException e) {
            rec.append(LogLine.stderr("sandgate: could not restart the process: " + e.getMessage()), 0);
            finish(rec, rec.lastExitCodeSafe());
            return;
        }
        boolean stillWanted;
        synchronized (rec) {
            ProcessInfo i = rec.info;
            rec.current = process;
            rec.oomKillsBefore = oomKills;
            rec.outOfMemory = false;
            if (rec.spec.stdin()) {
                rec.stdin = process.getOutputStream(); // a restarted process gets a fresh input
                rec.stdinClosed = false;
            }
            rec.info = new ProcessInfo(i.pid(), i.name(), i.command(), i.status(), i.exitCode(), i.workingDir(),
                    i.startedAt(), i.completedAt(), i.restartCount() + 1, i.keepAlive(), i.restartOnFailure(),
                    i.maxRestarts());
            stillWanted = i.isRunning();
        }
        LOG.info("sandbox {}: process {} restarted after a failure (pid now {})", sandbox, rec.id, process.pid());
        attach(rec, process);
        if (!stillWanted || closed) {
            killTree(process);
        }
    }

    private void finish(ManagedProcess rec, int code) {
        ProcessInfo done;
        synchronized (rec) {
            if (rec.ended) {
                return;
            }
            int exitCode = rec.info.status() == ProcessStatus.KILLED ? SIGKILL_EXIT_CODE : code;
            Instant now = clock.instant();
            Instant at = now.isBefore(rec.info.startedAt()) ? rec.info.startedAt() : now;
            rec.info = rec.info.exited(exitCode, at);
            if (rec.outOfMemory && rec.info.status() == ProcessStatus.FAILED) {
                rec.info = rec.info.killedOutOfMemory();
            }
            rec.ended = true;
            rec.current = null;
            done = rec.info;
        }
        rec.cancelTimers();
        rec.endSubscribers();
        prune();
        LOG.debug("sandbox {}: process {} ended: {} ({})", sandbox, rec.id, done.status().wireName(),
                done.exitCode().orElse(-1));
        // last, so that whoever waits on it sees the records already pruned
        rec.finished.complete(done);
    }

    private void prune() {
        synchronized (this) {
            long ended = records.values().stream().filter(ManagedProcess::isEnded).count();
            for (Iterator<ManagedProcess> it = records.values().iterator();
                 ended > settings.retainedFinishedProcesses() && it.hasNext(); ) {
                if (it.next().isEnded()) {
                    it.remove();
                    ended--;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- signals

    private void terminate(Process process) {
        List<ProcessHandle> tree = Signals.descendants(process.toHandle());
        if (isolation.inForce() == IsolationMode.BWRAP) {
            // bubblewrap itself must live on: its death would SIGKILL the namespace before the command can react
            Signals.terminate(tree);
            return;
        }
        if (isolation.leadsProcessGroup()) {
            Signals.group(process.pid(), "TERM");
            Signals.terminate(Signals.outsideGroup(tree, process.pid()));
        } else {
            process.destroy();
            Signals.terminate(tree);
        }
    }

    private void killTree(Process process) {
        List<ProcessHandle> tree = Signals.descendants(process.toHandle());
        if (isolation.leadsProcessGroup()) {
            Signals.group(process.pid(), "KILL");
        }
        process.destroyForcibly();
        Signals.kill(tree);
    }

    // ---------------------------------------------------------------------------------------------------- queries

    @Override
    public List<ProcessInfo> listProcesses() {
        List<ManagedProcess> all;
        synchronized (this) {
            all = new ArrayList<>(records.values());
        }
        return all.stream().map(ManagedProcess::info).toList();
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return find(identifier).info();
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return find(identifier).logs();
    }

    // ---------------------------------------------------------------------------------------------------- stdin

    @Override
    public void writeStdin(String identifier, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        ManagedProcess rec = find(identifier);
        OutputStream in = stdinOf(rec, identifier);
        awaitStdin(identifier, () -> {
            synchronized (rec.stdinLock) {
                in.write(data);
                in.flush();
            }
        });
    }

    @Override
    public void closeStdin(String identifier) {
        ManagedProcess rec = find(identifier);
        OutputStream in;
        synchronized (rec) {
            if (rec.stdinClosed) {
                return;
            }
            in = stdinOf(rec, identifier);
            rec.stdinClosed = true;
        }
        awaitStdin(identifier, () -> {
            synchronized (rec.stdinLock) {
                in.close();
            }
        });
    }

    private static OutputStream stdinOf(ManagedProcess rec, String identifier) {
        synchronized (rec) {
            if (!rec.spec.stdin()) {
                throw new SandgateException.InvalidRequest("process '" + identifier + "' was not started with stdin; "
                        + "give \"stdin\": true to exec");
            }
            if (rec.ended || rec.current == null || rec.stdin == null) {
                throw new SandgateException.NotFound("process '" + identifier + "' is not running");
            }
            if (rec.stdinClosed) {
                throw new SandgateException.InvalidRequest("the input of process '" + identifier + "' is closed");
            }
            return rec.stdin;
        }
    }

    private interface PipeAction {
        void run() throws IOException;
    }

    /**
     * Runs a write to (or the close of) an input pipe on an I/O thread and waits a bounded time: a process that does
     * not read its input fills the pipe, and the caller must not hang on it. Writes stay in order.
     */
    private void awaitStdin(String identifier, PipeAction action) {
        Future<?> done;
        try {
            done = io.submit(() -> {
                action.run();
                return null;
            });
        } catch (RejectedExecutionException e) {
            throw closedError();
        }
        try {
            done.get(STDIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SandgateException.Unavailable("process '" + identifier + "' has not read its input for "
                    + STDIN_WAIT.toSeconds() + " s (the pipe is full); the data is delivered when it does");
        } catch (ExecutionException e) {
            // the pipe broke: the process ended (or closed its input) meanwhile
            throw new SandgateException.NotFound("process '" + identifier + "' no longer reads its input: "
                    + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while writing to the input of process '"
                    + identifier + "'", e);
        }
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        ManagedProcess rec = find(identifier);
        LogSubscriber[] self = new LogSubscriber[1];
        LogSubscriber subscriber = new LogSubscriber(listener, callbacks, settings.subscriberQueueLines(),
                settings.outputBufferBytes(), () -> rec.unsubscribe(self[0]));
        self[0] = subscriber;
        rec.subscribe(subscriber);
        subscriber.start();
        return subscriber;
    }

    private ManagedProcess find(String identifier) {
        Objects.requireNonNull(identifier, "identifier must not be null");
        synchronized (this) {
            ManagedProcess byId = records.get(identifier);
            if (byId != null) {
                return byId;
            }
            List<ManagedProcess> all = new ArrayList<>(records.values());
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).info().name().value().equals(identifier)) {
                    return all.get(i);
                }
            }
        }
        throw new SandgateException.NotFound("process not found");
    }

    /** Live log subscriptions of a process (for tests). */
    int subscriberCount(String identifier) {
        return find(identifier).subscriberCount();
    }

    /** The OS pid currently behind a process, if it runs (for tests). */
    OptionalLong osPid(String identifier) {
        Process p = find(identifier).current();
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
    }

    // ---------------------------------------------------------------------------------------------------- stop/kill

    @Override
    public ProcessInfo stopProcess(String identifier) {
        ManagedProcess rec = find(identifier);
        if (!stopRecord(rec)) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        awaitQuietly(rec, settings.stopGracePeriod().compareTo(STOP_ANSWER_WAIT) < 0
                ? settings.stopGracePeriod().plusMillis(500) : STOP_ANSWER_WAIT);
        return rec.info();
    }

    /** SIGTERM now, SIGKILL after the grace period; false when the record was not running. */
    private boolean stopRecord(ManagedProcess rec) {
        Process process;
        boolean finishNow = false;
        synchronized (rec) {
            if (!rec.info.isRunning() || rec.ended) {
                return false;
            }
            rec.info = rec.info.withStatus(ProcessStatus.STOPPED);
            process = rec.current;
            if (process == null && rec.pendingRestart != null) {
                rec.pendingRestart.cancel(false);
                rec.pendingRestart = null;
                finishNow = true;
            }
        }
        if (finishNow) {
            finish(rec, rec.lastExitCodeSafe());
            return true;
        }
        if (process == null) {
            return true; // a restart is being spawned; it sees the status and kills what it started
        }
        if (settings.stopGracePeriod().isZero()) {
            killTree(process);
            return true;
        }
        terminate(process);
        synchronized (rec) {
            if (!rec.ended && rec.current == process) {
                try {
                    rec.graceKill = timers.schedule(() -> {
                        if (process.isAlive()) {
                            LOG.info("sandbox {}: process {} outlived its stop grace period; killing it", sandbox,
                                    rec.id);
                            killTree(process);
                        }
                    }, settings.stopGracePeriod().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    killTree(process);
                }
            }
        }
        return true;
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        ManagedProcess rec = find(identifier);
        if (!killRecord(rec)) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        awaitQuietly(rec, KILL_ANSWER_WAIT);
        return rec.info();
    }

    /** SIGKILL to the tree; status {@code killed} unless it was already stopping. False when it had ended. */
    private boolean killRecord(ManagedProcess rec) {
        Process process;
        boolean finishNow = false;
        synchronized (rec) {
            if (rec.ended) {
                return false;
            }
            if (rec.info.isRunning()) {
                rec.info = rec.info.withStatus(ProcessStatus.KILLED);
            }
            process = rec.current;
            if (process == null && rec.pendingRestart != null) {
                rec.pendingRestart.cancel(false);
                rec.pendingRestart = null;
                finishNow = true;
            }
        }
        if (finishNow) {
            finish(rec, SIGKILL_EXIT_CODE);
        } else if (process != null) {
            killTree(process);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------- shutdown

    private void ensureOpen() {
        if (closed) {
            throw closedError();
        }
    }

    private SandgateException closedError() {
        return new SandgateException.Unavailable("the processes of sandbox '" + sandbox + "' are shut down");
    }

    private List<ManagedProcess> snapshot() {
        synchronized (this) {
            return new ArrayList<>(records.values());
        }
    }

    /** Stops every running process gracefully (SIGTERM, SIGKILL after the grace period) and waits for them. */
    public void stopAll() {
        List<ManagedProcess> all = snapshot();
        for (ManagedProcess rec : all) {
            stopRecord(rec);
        }
        awaitAll(all, settings.stopGracePeriod().plus(CLOSE_WAIT));
    }

    /**
     * Kills every running process of the sandbox (SIGKILL to their groups), waits a bounded time for them to exit,
     * and releases the threads. Processes cannot be started afterwards. Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<Process> shell;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            shell = warmShell;
            warmShell = null;
            cancelWarmShellRetirement();
        }
        if (shell != null) {
            retireAndWait(shell);
        }
        List<ManagedProcess> all = snapshot();
        for (ManagedProcess rec : all) {
            killRecord(rec);
        }
        awaitAll(all, CLOSE_WAIT);
        timers.shutdownNow();
        spawner.shutdownNow();
        io.shutdownNow();
        callbacks.shutdown();
        try {
            if (!callbacks.awaitTermination(1, TimeUnit.SECONDS)) {
                callbacks.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callbacks.shutdownNow();
        }
    }

    private static void retireAndWait(CompletableFuture<Process> shell) {
        try {
            retire(shell).get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            shell.thenAccept(Process::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shell.thenAccept(Process::destroyForcibly);
        }
    }

    private static void awaitAll(List<ManagedProcess> all, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ManagedProcess rec : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                rec.finished.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // bounded: give up on this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "LocalProcesses[" + sandbox + ", " + isolation.inForce().wireName() + "]";
    }
}
