package dev.sandgate.ports;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Processes of one sandbox. A process is addressed by its pid or by its name (the most recently started process
 * with that name); unknown identifiers give {@code NotFound}. Calls that wait ({@code exec} with
 * {@code waitForPorts} or {@code waitForCompletion}) block the calling thread.
 */
public interface ProcessOperations {
    /**
     * Starts a process. {@code Conflict} when a running process already has the name; {@code InvalidRequest}
     * ({@code UNPROCESSABLE}) when the working directory does not exist, or the process exits or the timeout
     * passes before every port in {@code waitForPorts} accepts connections.
     */
    ProcessInfo exec(ProcessSpec spec);

    /**
     * {@link #exec}, answered as a future: the process is started before this returns (a start that fails throws,
     * as {@code exec} does), and its waits ({@code waitForPorts}, {@code waitForCompletion}) complete the future
     * later, holding no thread where the implementation can do so. This default runs {@code exec} on the calling
     * thread and answers its result.
     */
    default java.util.concurrent.CompletionStage<ProcessInfo> execAsync(ProcessSpec spec) {
        return java.util.concurrent.CompletableFuture.completedFuture(exec(spec));
    }

    /** Running and finished processes, oldest first. */
    List<ProcessInfo> listProcesses();

    ProcessInfo getProcess(String identifier);

    /**
     * SIGTERM to the process group, SIGKILL after the gateway's grace period; status {@code stopped}.
     * {@code NotFound} when the process is unknown or no longer running.
     */
    ProcessInfo stopProcess(String identifier);

    /** SIGKILL to the process group; status {@code killed}. {@code NotFound} when unknown. */
    ProcessInfo killProcess(String identifier);

    ProcessLogs logs(String identifier);

    /**
     * Writes {@code data} to the standard input of a process started with {@code stdin}. {@code NotFound} when the
     * process is unknown or no longer running; {@code InvalidRequest} when it was started without {@code stdin} or
     * its input was closed; {@code Unavailable} when the process does not read its input for a while (the pipe is
     * full), in which case the data may still be delivered later, in order.
     */
    void writeStdin(String identifier, byte[] data);

    /** Closes the standard input of a process started with {@code stdin} (it then reads end-of-file). Idempotent. */
    void closeStdin(String identifier);

    /**
     * Streams a process's output: first what is buffered, then live lines, then {@link LogListener#onEnd()} once the
     * process exited (at once if it already had). Callbacks arrive on a gateway thread, never the caller's.
     * {@code NotFound} (thrown, not delivered) when the process is unknown.
     */
    LogSubscription streamLogs(String identifier, LogListener listener);

    /**
     * Resumes a process's output after {@code cursor} (0: from the first line still kept): every line whose cursor is
     * greater, each through {@link LogListener#onLine(LogLine, long)}, then live lines and the end, as
     * {@link #streamLogs(String, LogListener)} does but without truncation notes: lines after the cursor that the
     * bounded buffer dropped are reported once by {@link LogListener#onDropped} before the first line.
     * {@code NotFound} when the process is unknown; {@code InvalidRequest} when the cursor is negative or past the
     * last line written. This default supports only {@code cursor} 0 and gives no cursors; adapters override it.
     */
    default LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        if (cursor != 0) {
            throw new SandgateException.InvalidRequest("this gateway cannot resume a log stream after cursor " + cursor);
        }
        return streamLogs(identifier, listener);
    }

    /**
     * The streamed form of exec: starts the process, hands its output to {@code listener} as it comes, and answers
     * once it exited (the wire protocol's NDJSON exec). The listener gets {@code onEnd} before this returns, or
     * {@code onError} when the stream broke. The wait is bounded by the spec's timeout (one minute when it names
     * none; zero means no bound); past it, {@code Unavailable}. This default composes {@link #exec},
     * {@link #streamLogs} and {@link #getProcess}; an adapter with a native form overrides it.
     */
    default ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
        ProcessInfo started = exec(spec.withWaitForCompletion(false));
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<SandgateException> failure = new AtomicReference<>();
        LogSubscription subscription = streamLogs(started.pid(), new LogListener() {
            @Override
            public void onLine(LogLine line) {
                listener.onLine(line);
            }

            @Override
            public void onEnd() {
                listener.onEnd();
                ended.countDown();
            }

            @Override
            public void onError(SandgateException error) {
                failure.set(error);
                listener.onError(error);
                ended.countDown();
            }
        });
        Duration bound = spec.timeout().orElse(Duration.ofMinutes(1));
        try {
            boolean done = bound.isZero() ? awaitForever(ended) : ended.await(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new SandgateException.Unavailable("process " + started.pid() + " did not finish within " + bound);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while streaming process " + started.pid(), e);
        } finally {
            subscription.cancel();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return getProcess(started.pid());
    }

    private static boolean awaitForever(CountDownLatch latch) throws InterruptedException {
        latch.await();
        return true;
    }
}
