package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one warm shell of a sandbox (see {@link WarmShell}): started after an {@code exec} for the next one, it waits
 * for at most {@code idle} to be handed its command, and is then retired. Thread-safe; its lock is taken under the
 * registry's, never the other way round.
 */
final class WarmShellPool {
    private static final Logger LOG = LoggerFactory.getLogger(WarmShellPool.class);
    /** How long an exec waits for a warm shell still being started before it spawns its own process. */
    private static final Duration WARM_SHELL_WAIT = Duration.ofSeconds(10);

    private final SandboxName sandbox;
    private final Path sandboxRoot;
    private final Spawner spawner;
    private final ScheduledExecutorService timers;
    private final Duration idle;

    // guarded by this
    private CompletableFuture<Process> shell;
    private ScheduledFuture<?> retirement;
    private int used;
    private boolean closed;

    WarmShellPool(SandboxName sandbox, Path sandboxRoot, Spawner spawner, ScheduledExecutorService timers,
                  Duration idle) {
        this.sandbox = sandbox;
        this.sandboxRoot = sandboxRoot;
        this.spawner = spawner;
        this.timers = timers;
        this.idle = idle;
    }

    /**
     * Hands the command to the warm shell, if there is one and the request suits it; the shell then becomes the
     * process. Empty when the caller must spawn the process itself.
     */
    synchronized Optional<Process> take(String directory, ProcessSpec spec) {
        if (shell == null) {
            return Optional.empty();
        }
        Optional<byte[]> request = WarmShell.request(directory, spawner.environment(spec.env()), spec.command(),
                spec.stdin());
        if (request.isEmpty()) {
            return Optional.empty(); // keep the shell for an exec that suits it
        }
        CompletableFuture<Process> next = shell;
        shell = null;
        cancelRetirement();
        Process started;
        try {
            // a shell still being started is ready sooner than one spawned after it on the same thread
            started = next.get(WARM_SHELL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
        if (!started.isAlive()) {
            return Optional.empty();
        }
        try {
            OutputStream in = started.getOutputStream();
            in.write(request.get());
            if (spec.stdin()) {
                in.flush(); // the pipe stays open: it is the command's input from here on
            } else {
                in.close();
            }
        } catch (IOException e) {
            LOG.debug("sandbox {}: the warm shell did not take its command: {}", sandbox, e.getMessage());
            started.destroyForcibly();
            return Optional.empty();
        }
        used++;
        return Optional.of(started);
    }

    /** Starts the shell the next exec will use, unless one is there, they are off, or the pool is closed. */
    synchronized void replenish() {
        if (closed || idle.isZero() || shell != null) {
            return;
        }
        Launch launch = spawner.launch(SandboxPath.ROOT, sandboxRoot, WarmShell.SCRIPT, Map.of());
        CompletableFuture<Process> next;
        try {
            next = spawner.spawnLater(launch);
        } catch (RejectedExecutionException e) {
            return; // shutting down
        }
        try {
            retirement = timers.schedule(() -> retireIfIdle(next), idle.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            retire(next); // shutting down: the shell must not wait for a command that never comes
            return;
        }
        shell = next;
    }

    private void retireIfIdle(CompletableFuture<Process> idleShell) {
        synchronized (this) {
            if (shell != idleShell) {
                return;
            }
            shell = null;
            retirement = null;
        }
        retire(idleShell);
    }

    private void cancelRetirement() {
        if (retirement != null) {
            retirement.cancel(false);
            retirement = null;
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

    /** Retires the waiting shell (waiting up to a second for it to exit); no shell starts afterwards. */
    void close() {
        CompletableFuture<Process> last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = shell;
            shell = null;
            cancelRetirement();
        }
        if (last == null) {
            return;
        }
        try {
            retire(last).get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            last.thenAccept(Process::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            last.thenAccept(Process::destroyForcibly);
        }
    }

    /** How many execs a warm shell has run (for tests). */
    synchronized int used() {
        return used;
    }

    /** The warm shell waiting for the next exec, once started (for tests). */
    Optional<Process> waiting() {
        CompletableFuture<Process> next;
        synchronized (this) {
            next = shell;
        }
        if (next == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(next.get(WARM_SHELL_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
