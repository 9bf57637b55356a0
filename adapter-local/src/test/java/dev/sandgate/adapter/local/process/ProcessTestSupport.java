package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, free ports and a recording log listener for the process tests. */
final class ProcessTestSupport {
    static final Duration DEADLINE = Duration.ofSeconds(15);

    private ProcessTestSupport() {
    }

    /** Polls {@code condition} every 20 ms until it holds, failing with {@code what} after {@link #DEADLINE}. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port", e);
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Whether any process on this machine has {@code marker} in its command line. */
    static boolean anyProcessWith(String marker) {
        return ProcessHandle.allProcesses()
                .anyMatch(p -> p.isAlive() && p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }

    /** A listener that records everything and may block in {@code onLine} until released. */
    static final class Recorder implements LogListener {
        final List<LogLine> lines = new CopyOnWriteArrayList<>();
        final List<Long> cursors = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
        final AtomicInteger ends = new AtomicInteger();
        final AtomicReference<SandgateException> error = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        final List<String> threads = new CopyOnWriteArrayList<>();
        private final CountDownLatch gate;

        Recorder() {
            this(new CountDownLatch(0));
        }

        Recorder(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public void onLine(LogLine line) {
            threads.add(Thread.currentThread().getName());
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lines.add(line);
        }

        @Override
        public void onLine(LogLine line, long cursor) {
            cursors.add(cursor);
            onLine(line);
        }

        @Override
        public void onDropped(long count) {
            dropped.addAndGet(count);
        }

        @Override
        public void onEnd() {
            ends.incrementAndGet();
            done.countDown();
        }

        @Override
        public void onError(SandgateException e) {
            error.set(e);
            done.countDown();
        }

        List<String> texts() {
            return lines.stream().map(LogLine::text).toList();
        }

        void awaitDone() {
            try {
                if (!done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("the log stream did not end; got " + texts());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
