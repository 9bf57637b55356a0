package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Writes to, and closes, the input pipe of a process started with {@code stdin}. Each write runs on an I/O thread
 * and is waited for a bounded time: a process that does not read its input fills the pipe, and the caller must not
 * hang on it. Writes to one process stay in order.
 */
final class ProcessInput {
    /** How long a write to a process's input may wait for the process to read it. */
    private static final Duration STDIN_WAIT = Duration.ofSeconds(5);

    private interface PipeAction {
        void run() throws IOException;
    }

    private final ExecutorService io;
    private final Supplier<SandgateException> closed;

    ProcessInput(ExecutorService io, Supplier<SandgateException> closed) {
        this.io = io;
        this.closed = closed;
    }

    void write(ManagedProcess rec, String identifier, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        OutputStream in = rec.stdin(identifier);
        await(identifier, () -> {
            synchronized (rec.stdinLock()) {
                in.write(data);
                in.flush();
            }
        });
    }

    /** Closes the input; closing it again does nothing. */
    void close(ManagedProcess rec, String identifier) {
        Optional<OutputStream> in = rec.closingStdin(identifier);
        if (in.isEmpty()) {
            return;
        }
        await(identifier, () -> {
            synchronized (rec.stdinLock()) {
                in.get().close();
            }
        });
    }

    private void await(String identifier, PipeAction action) {
        Future<?> done;
        try {
            done = io.submit(() -> {
                action.run();
                return null;
            });
        } catch (RejectedExecutionException e) {
            throw closed.get();
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
}
