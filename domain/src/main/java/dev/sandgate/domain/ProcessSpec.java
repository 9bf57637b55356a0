package dev.sandgate.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to start a process: {@code sh -c command} in {@code workingDir} (default: the sandbox's working
 * directory) with {@code env} merged over a minimal environment.
 * <ul>
 * <li>{@code waitForPorts}: answer once every listed port accepts connections (at most 16 ports);</li>
 * <li>{@code waitForCompletion}: answer once the process exits;</li>
 * <li>{@code timeout}: bound on those waits; with {@code keepAlive}, the process is killed after it; empty means the
 * gateway's default;</li>
 * <li>{@code restartOnFailure} with {@code maxRestarts} (negative: unlimited) restarts on a non-zero exit;</li>
 * <li>{@code stdin}: the process reads a pipe that {@code writeStdin} feeds and {@code closeStdin} ends (otherwise
 * it reads an empty input).</li>
 * <li>{@code startedBy}: the session the process is recorded as started by (the broker sets it from its access
 * decision, never from what a session sends); empty for none.</li>
 * </ul>
 * The command is 1–65536 characters without NUL; at most 256 environment variables.
 */
public record ProcessSpec(String command, Optional<ProcessName> name, Optional<SandboxPath> workingDir,
                          Map<String, String> env, List<Port> waitForPorts, boolean waitForCompletion,
                          Optional<Duration> timeout, boolean keepAlive, boolean restartOnFailure, int maxRestarts,
                          boolean stdin, Optional<PreviewName> startedBy) {
    private static final int MAX_COMMAND = 65_536;
    private static final int MAX_ENV = 256;
    private static final int MAX_PORTS = 16;

    public ProcessSpec {
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(workingDir, "workingDir must not be null");
        Objects.requireNonNull(env, "env must not be null");
        Objects.requireNonNull(waitForPorts, "waitForPorts must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(startedBy, "startedBy must not be null");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (command.length() > MAX_COMMAND) {
            throw new IllegalArgumentException("command is " + command.length() + " characters long (at most " + MAX_COMMAND + ")");
        }
        if (command.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("command contains a NUL character");
        }
        if (env.size() > MAX_ENV) {
            throw new IllegalArgumentException("too many environment variables: " + env.size() + " (at most " + MAX_ENV + ")");
        }
        env.forEach((k, v) -> {
            EnvVar.requireName(k);
            EnvVar.requireValue(k, v);
        });
        env = Map.copyOf(env);
        if (waitForPorts.size() > MAX_PORTS) {
            throw new IllegalArgumentException("too many ports to wait for: " + waitForPorts.size() + " (at most " + MAX_PORTS + ")");
        }
        waitForPorts = List.copyOf(waitForPorts);
        timeout.ifPresent(t -> {
            if (t.isNegative()) {
                throw new IllegalArgumentException("timeout " + t + " must not be negative");
            }
        });
    }

    /** A request that no session makes. */
    public ProcessSpec(String command, Optional<ProcessName> name, Optional<SandboxPath> workingDir,
                       Map<String, String> env, List<Port> waitForPorts, boolean waitForCompletion,
                       Optional<Duration> timeout, boolean keepAlive, boolean restartOnFailure, int maxRestarts,
                       boolean stdin) {
        this(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive, restartOnFailure,
                maxRestarts, stdin, Optional.empty());
    }

    public static ProcessSpec of(String command) {
        return new ProcessSpec(command, Optional.empty(), Optional.empty(), Map.of(), List.of(), false,
                Optional.empty(), false, false, 0, false);
    }

    public ProcessSpec withName(String name) {
        return new ProcessSpec(command, Optional.of(ProcessName.of(name)), workingDir, env, waitForPorts,
                waitForCompletion, timeout, keepAlive, restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withWorkingDir(String dir) {
        return new ProcessSpec(command, name, Optional.of(SandboxPath.of(dir)), env, waitForPorts, waitForCompletion,
                timeout, keepAlive, restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withEnv(Map<String, String> env) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withWaitForPorts(int... ports) {
        return new ProcessSpec(command, name, workingDir, env,
                java.util.Arrays.stream(ports).mapToObj(Port::of).toList(), waitForCompletion, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withWaitForCompletion(boolean wait) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, wait, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withTimeout(Duration timeout) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion,
                Optional.of(timeout), keepAlive, restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withKeepAlive(boolean keepAlive) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withRestartOnFailure(int maxRestarts) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive,
                true, maxRestarts, stdin, startedBy);
    }

    public ProcessSpec withStdin(boolean stdin) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, startedBy);
    }

    /** This request as made by {@code session} (empty: by none). */
    public ProcessSpec withStartedBy(Optional<PreviewName> session) {
        return new ProcessSpec(command, name, workingDir, env, waitForPorts, waitForCompletion, timeout, keepAlive,
                restartOnFailure, maxRestarts, stdin, session);
    }
}
