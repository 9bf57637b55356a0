package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.SandboxName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an OS process's stdout and stderr into its record, line by line (a line longer than the buffer keeps whole
 * is cut), waits for its exit on a thread of its own, and reports the exit once the output is drained: what the
 * shell left in its group holding the output open is killed first (without isolation; under bubblewrap the PID
 * namespace already saw to that).
 */
final class OutputPump {
    /** What is told of an exit, with the output read to its end (or given up on). */
    @FunctionalInterface
    interface ExitListener {
        void exited(ManagedProcess rec, Process process, int code);
    }

    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);
    /** How long the output may take to close on its own before leftovers of the group are killed. */
    private static final Duration QUICK_DRAIN = Duration.ofMillis(50);
    private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);

    private final SandboxName sandbox;
    private final Spawner spawner;
    private final ExecutorService io;
    private final int maxLine;

    OutputPump(SandboxName sandbox, Spawner spawner, ExecutorService io, int outputBufferBytes) {
        this.sandbox = sandbox;
        this.spawner = spawner;
        this.io = io;
        this.maxLine = OutputBuffer.maxLineBytes(outputBufferBytes);
    }

    void attach(ManagedProcess rec, Process process, ExitListener listener) {
        CompletableFuture<Void> out = CompletableFuture.runAsync(
                () -> pump(rec, process.getInputStream(), LogStream.STDOUT), io);
        CompletableFuture<Void> err = CompletableFuture.runAsync(
                () -> pump(rec, process.getErrorStream(), LogStream.STDERR), io);
        // A thread of its own waits for the exit: Process.onExit() would hop through the common pool first.
        Runnable waiter = () -> {
            awaitExit(process);
            exited(rec, process, out, err, listener);
        };
        try {
            io.execute(waiter);
        } catch (RejectedExecutionException e) {
            process.onExit().whenComplete((p, t) -> exited(rec, process, out, err, listener));
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
            LOG.warn("sandbox {}: reading the output of process {} failed", sandbox, rec.id(), e);
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

    private void exited(ManagedProcess rec, Process process, CompletableFuture<Void> out, CompletableFuture<Void> err,
                        ExitListener listener) {
        int code = process.exitValue();
        // Signalling the group spawns a program, which costs as much as the process itself did, so it happens
        // before the answer only when a leftover still holds the output open; otherwise just after it.
        boolean killGroup = spawner.killsGroupAfterExit();
        if (!drained(out, err, QUICK_DRAIN)) {
            if (killGroup) {
                spawner.killGroup(process);
                killGroup = false;
            }
            if (!drained(out, err, DRAIN_AFTER_EXIT)) {
                LOG.debug("sandbox {}: output of process {} still open after its exit", sandbox, rec.id());
            }
        }
        try {
            listener.exited(rec, process, code);
        } finally {
            if (killGroup) {
                spawner.killGroup(process);
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
}
