package dev.sandgate.ports.usecase;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Processes of one sandbox. Identifiers are pids or names (the most recent process with that name). */
public final class Processes {
    /** How long {@link #wait(String)} waits by default: one minute, as the SDK does. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(1);

    private final DataPlane dataPlane;
    private final Clock clock;

    Processes(DataPlane dataPlane, Clock clock) {
        this.dataPlane = dataPlane;
        this.clock = clock;
    }

    public ProcessInfo exec(ProcessSpec spec) {
        return dataPlane.exec(Objects.requireNonNull(spec, "spec must not be null"));
    }

    public List<ProcessInfo> list() {
        return dataPlane.listProcesses();
    }

    public ProcessInfo get(String identifier) {
        return dataPlane.getProcess(requireIdentifier(identifier));
    }

    public ProcessInfo stop(String identifier) {
        return dataPlane.stopProcess(requireIdentifier(identifier));
    }

    public ProcessInfo kill(String identifier) {
        return dataPlane.killProcess(requireIdentifier(identifier));
    }

    public ProcessLogs logs(String identifier) {
        return dataPlane.logs(requireIdentifier(identifier));
    }

    /** Writes to the input of a process started with {@code stdin} (see {@link DataPlane#writeStdin}). */
    public void writeStdin(String identifier, byte[] data) {
        dataPlane.writeStdin(requireIdentifier(identifier), java.util.Objects.requireNonNull(data, "data must not be null"));
    }

    /** Writes {@code text} as UTF-8 to the input of a process started with {@code stdin}. */
    public void writeStdin(String identifier, String text) {
        writeStdin(identifier, java.util.Objects.requireNonNull(text, "text must not be null")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Closes the input of a process started with {@code stdin}: it reads end-of-file. */
    public void closeStdin(String identifier) {
        dataPlane.closeStdin(requireIdentifier(identifier));
    }

    /** Starts a process and streams its output to {@code listener}, answering once it exited. */
    public ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
        return dataPlane.execStreaming(Objects.requireNonNull(spec, "spec must not be null"),
                Objects.requireNonNull(listener, "listener must not be null"));
    }

    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return dataPlane.streamLogs(requireIdentifier(identifier), Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** The output after {@code cursor} (a line's cursor from {@link LogListener#onLine(dev.sandgate.domain.LogLine, long)}). */
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        return dataPlane.streamLogs(requireIdentifier(identifier), cursor,
                Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** {@link #wait(String, Duration)} with {@link #DEFAULT_MAX_WAIT}. */
    public ProcessInfo wait(String identifier) {
        return wait(identifier, DEFAULT_MAX_WAIT);
    }

    /**
     * Waits until the process is no longer running and returns it; {@code Unavailable} when {@code maxWait} passes
     * first. Waits on the log stream's end rather than polling; a process restarted on failure ends its stream
     * only when it finally stops.
     */
    public ProcessInfo wait(String identifier, Duration maxWait) {
        requireIdentifier(identifier);
        Objects.requireNonNull(maxWait, "maxWait must not be null");
        Instant deadline = clock.instant().plus(maxWait);
        while (true) {
            ProcessInfo info = dataPlane.getProcess(identifier);
            if (!info.isRunning()) {
                return info;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new SandgateException.Unavailable("process " + identifier + " did not finish within " + maxWait);
            }
            awaitStreamEnd(info.pid(), left);
        }
    }

    private void awaitStreamEnd(String pid, Duration left) {
        CountDownLatch ended = new CountDownLatch(1);
        LogSubscription subscription = dataPlane.streamLogs(pid, new LogListener() {
            @Override
            public void onLine(LogLine line) {
                // only the end matters here
            }

            @Override
            public void onEnd() {
                ended.countDown();
            }

            @Override
            public void onError(SandgateException error) {
                ended.countDown();
            }
        });
        try {
            ended.await(left.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while waiting for process " + pid, e);
        } finally {
            subscription.cancel();
        }
    }

    private static String requireIdentifier(String identifier) {
        Objects.requireNonNull(identifier, "identifier must not be null");
        if (identifier.isBlank() || identifier.length() > 128) {
            throw new SandgateException.InvalidRequest("process identifier must be 1-128 characters");
        }
        return identifier;
    }
}
