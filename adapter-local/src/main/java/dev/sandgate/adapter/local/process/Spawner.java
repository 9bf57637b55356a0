package dev.sandgate.adapter.local.process;

import dev.sandgate.adapter.local.limits.SandboxCgroup;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * How one sandbox's OS processes are started and ended: the launch built by {@link Isolation} (in the sandbox's
 * control group and network namespace), started on the one spawner thread, and the signals that end it, which
 * depend on how it was started (under bubblewrap, bubblewrap itself must outlive a SIGTERM; without it, the shell
 * leads a process group).
 */
final class Spawner {
    private static final int MAX_MESSAGE_COMMAND = 200;

    private final SandboxName sandbox;
    private final Path sandboxRoot;
    private final Isolation isolation;
    private final SandboxCgroup cgroup;
    private final NetworkNamespace network;
    private final ExecutorService thread;

    Spawner(SandboxName sandbox, Path sandboxRoot, Isolation isolation, SandboxCgroup cgroup, NetworkNamespace network,
            ExecutorService thread) {
        this.sandbox = sandbox;
        this.sandboxRoot = sandboxRoot;
        this.isolation = isolation;
        this.cgroup = cgroup;
        this.network = network;
        this.thread = thread;
    }

    Isolation isolation() {
        return isolation;
    }

    /** The sandbox group's OOM kill count so far. */
    long oomKills() {
        return cgroup.oomKills();
    }

    /** Makes the sandbox's root ready for a process (the mount points bubblewrap needs). */
    void prepare() {
        isolation.prepare(sandboxRoot);
    }

    /** The host directory behind {@code workingDir}, which must be a directory inside the sandbox. */
    Path hostDirectory(SandboxPath workingDir, String command) {
        Path host = Isolation.hostPath(sandboxRoot, workingDir);
        if (!Files.isDirectory(host)) {
            throw missingFolder(workingDir, command);
        }
        try {
            Path real = host.toRealPath();
            if (!real.startsWith(sandboxRoot.toRealPath())) {
                throw new SandgateException.InvalidRequest("working directory '" + workingDir
                        + "' leads outside the sandbox");
            }
            return real;
        } catch (IOException e) {
            throw missingFolder(workingDir, command);
        }
    }

    private static SandgateException missingFolder(SandboxPath workingDir, String command) {
        String shown = command.length() <= MAX_MESSAGE_COMMAND ? command
                : command.substring(0, MAX_MESSAGE_COMMAND) + "…";
        return SandgateException.InvalidRequest.unprocessable("could not execute command '" + shown
                + "' because folder '" + workingDir + "' does not exist");
    }

    /** The working directory as the shell sees it: the sandbox path under bubblewrap, else the host path. */
    String shellDirectory(SandboxPath workingDir, Path hostDirectory) {
        return isolation.inForce() == IsolationMode.BWRAP ? workingDir.value() : hostDirectory.toString();
    }

    /** The environment a command gets: {@code env} over the minimal one. */
    Map<String, String> environment(Map<String, String> env) {
        return isolation.environment(env);
    }

    Launch launch(SandboxPath workingDir, Path hostDirectory, String command, Map<String, String> env) {
        return isolation.launch(sandboxRoot, workingDir, hostDirectory, command, env);
    }

    /** Starts {@code launch} on the spawner thread and waits; its stdin is /dev/null, or a pipe if asked. */
    Process spawn(Launch launch, boolean stdinPipe) {
        Future<Process> started;
        try {
            started = thread.submit(() -> start(launch, stdinPipe));
        } catch (RejectedExecutionException e) {
            throw closed();
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

    /**
     * Starts {@code launch}, with an input pipe, on the spawner thread without waiting for it.
     *
     * @throws RejectedExecutionException when the spawner is shut down
     */
    CompletableFuture<Process> spawnLater(Launch launch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return start(launch, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, thread);
    }

    private Process start(Launch launch, boolean stdinPipe) throws IOException {
        return launch.start(stdinPipe, line -> network.wrap(cgroup.launcher(line)));
    }

    SandgateException closed() {
        return new SandgateException.Unavailable("the processes of sandbox '" + sandbox + "' are shut down");
    }

    // ------------------------------------------------------------------------------------------------ signals

    /** Whether what a shell leaves in its process group must be killed after it exits (only without isolation). */
    boolean killsGroupAfterExit() {
        return isolation.leadsProcessGroup() && isolation.inForce() == IsolationMode.NONE;
    }

    /** SIGKILL to the process group led by {@code process}. */
    void killGroup(Process process) {
        Signals.group(process.pid(), "KILL");
    }

    /** SIGTERM to the process and everything it started. */
    void terminate(Process process) {
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

    /** SIGKILL to the process and everything it started. */
    void killTree(Process process) {
        List<ProcessHandle> tree = Signals.descendants(process.toHandle());
        if (isolation.leadsProcessGroup()) {
            Signals.group(process.pid(), "KILL");
        }
        process.destroyForcibly();
        Signals.kill(tree);
    }
}
