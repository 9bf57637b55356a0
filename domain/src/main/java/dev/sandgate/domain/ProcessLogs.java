package dev.sandgate.domain;

import java.util.Objects;

/**
 * The output kept for a process: stdout only, stderr only, and both interleaved in the order produced.
 * {@code truncated} says that the oldest output was dropped because the buffer is bounded.
 */
public record ProcessLogs(String stdout, String stderr, String logs, boolean truncated) {
    public static final ProcessLogs EMPTY = new ProcessLogs("", "", "", false);

    public ProcessLogs {
        Objects.requireNonNull(stdout, "stdout must not be null");
        Objects.requireNonNull(stderr, "stderr must not be null");
        Objects.requireNonNull(logs, "logs must not be null");
    }
}
