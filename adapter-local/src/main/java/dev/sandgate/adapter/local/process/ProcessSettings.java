package dev.sandgate.adapter.local.process;

import java.time.Duration;
import java.util.Objects;

/**
 * How the local runtime runs processes.
 *
 * @param stopGracePeriod           how long {@code stop} waits after SIGTERM before it sends SIGKILL to the group;
 *                                  zero kills at once
 * @param outputBufferBytes         the output kept per process (stdout and stderr together, at least 1024); each line
 *                                  is charged its UTF-8 size plus a fixed per-line overhead, so that a flood of empty
 *                                  lines cannot grow memory either; the oldest lines are dropped first
 * @param retainedFinishedProcesses how many finished process records a sandbox keeps (the oldest go first)
 * @param defaultWaitTimeout        bound on {@code waitForPorts} and {@code waitForCompletion} when the request names
 *                                  none
 * @param subscriberQueueLines      lines a log subscriber may fall behind before it is dropped with
 *                                  {@code onError(Unavailable)} (it is also dropped when it falls more than
 *                                  {@code outputBufferBytes} of text behind)
 * @param warmShellIdle             how long a shell started ahead of a sandbox's next {@code exec} (see
 *                                  {@link WarmShell}) waits for it before it is retired; zero starts none, so that
 *                                  every {@code exec} spawns its process
 */
public record ProcessSettings(Duration stopGracePeriod, int outputBufferBytes, int retainedFinishedProcesses,
                              Duration defaultWaitTimeout, int subscriberQueueLines, Duration warmShellIdle) {
    /** The smallest output buffer accepted. */
    public static final int MIN_OUTPUT_BUFFER_BYTES = 1024;

    public ProcessSettings {
        Objects.requireNonNull(stopGracePeriod, "stopGracePeriod must not be null");
        Objects.requireNonNull(defaultWaitTimeout, "defaultWaitTimeout must not be null");
        Objects.requireNonNull(warmShellIdle, "warmShellIdle must not be null");
        if (stopGracePeriod.isNegative()) {
            throw new IllegalArgumentException("stopGracePeriod " + stopGracePeriod + " must not be negative");
        }
        if (outputBufferBytes < MIN_OUTPUT_BUFFER_BYTES) {
            throw new IllegalArgumentException("outputBufferBytes " + outputBufferBytes + " must be at least "
                    + MIN_OUTPUT_BUFFER_BYTES);
        }
        if (retainedFinishedProcesses < 0) {
            throw new IllegalArgumentException("retainedFinishedProcesses " + retainedFinishedProcesses
                    + " must not be negative");
        }
        if (defaultWaitTimeout.isNegative() || defaultWaitTimeout.isZero()) {
            throw new IllegalArgumentException("defaultWaitTimeout " + defaultWaitTimeout + " must be positive");
        }
        if (subscriberQueueLines < 1) {
            throw new IllegalArgumentException("subscriberQueueLines " + subscriberQueueLines + " must be positive");
        }
        if (warmShellIdle.isNegative()) {
            throw new IllegalArgumentException("warmShellIdle " + warmShellIdle + " must not be negative");
        }
    }

    /**
     * 5 s grace, 1 MiB of output, 100 finished records, 60 s waits, 10 000 queued lines per subscriber, a warm shell
     * kept for 60 s after a sandbox's last {@code exec}.
     */
    public static ProcessSettings defaults() {
        return new ProcessSettings(Duration.ofSeconds(5), 1024 * 1024, 100, Duration.ofSeconds(60), 10_000,
                Duration.ofSeconds(60));
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link ProcessSettings} by name, from {@link #defaults()} or {@link #toBuilder()}. Not thread-safe. */
    public static final class Builder {
        private Duration stopGracePeriod;
        private int outputBufferBytes;
        private int retainedFinishedProcesses;
        private Duration defaultWaitTimeout;
        private int subscriberQueueLines;
        private Duration warmShellIdle;

        private Builder(ProcessSettings from) {
            stopGracePeriod = from.stopGracePeriod;
            outputBufferBytes = from.outputBufferBytes;
            retainedFinishedProcesses = from.retainedFinishedProcesses;
            defaultWaitTimeout = from.defaultWaitTimeout;
            subscriberQueueLines = from.subscriberQueueLines;
            warmShellIdle = from.warmShellIdle;
        }

        public Builder stopGracePeriod(Duration value) {
            stopGracePeriod = value;
            return this;
        }

        public Builder outputBufferBytes(int value) {
            outputBufferBytes = value;
            return this;
        }

        public Builder retainedFinishedProcesses(int value) {
            retainedFinishedProcesses = value;
            return this;
        }

        public Builder defaultWaitTimeout(Duration value) {
            defaultWaitTimeout = value;
            return this;
        }

        public Builder subscriberQueueLines(int value) {
            subscriberQueueLines = value;
            return this;
        }

        public Builder warmShellIdle(Duration value) {
            warmShellIdle = value;
            return this;
        }

        public ProcessSettings build() {
            return new ProcessSettings(stopGracePeriod, outputBufferBytes, retainedFinishedProcesses,
                    defaultWaitTimeout, subscriberQueueLines, warmShellIdle);
        }
    }
}
