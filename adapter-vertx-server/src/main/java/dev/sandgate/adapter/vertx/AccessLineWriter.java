package dev.sandgate.adapter.vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the access log's lines on a thread of its own, so that the thread that ends a request (an event loop, most
 * often) never waits for where they go. slf4j's simple backend writes each line to standard error under one lock,
 * and a reader of that stream that falls behind (a pipe to a log shipper, a terminal scrolled back) would otherwise
 * stall every event loop that logs: a profile of the broker under load found its event loops waiting for that lock.
 *
 * <p>A line is handed over with a non-blocking {@code offer} on a bounded queue; when {@code capacity} lines are
 * waiting, new ones are dropped and counted ({@link #dropped()}), never waited for, and the writer says how many once
 * it writes again (at most once a minute). On {@link #close} the lines waiting are written, for a few seconds at most.
 */
final class AccessLineWriter implements AutoCloseable {
    /** Lines that may wait: about 4 MB of them at their usual size. */
    static final int CAPACITY = 16_384;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLineWriter.class);
    private static final int BATCH = 512;
    private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(5);

    private final Consumer<String> sink;
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private long reportedDrops;
    private long lastReport;

    /** Starts the writing thread; {@code sink} gets each line, in the order offered. */
    AccessLineWriter(Consumer<String> sink, int capacity) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::drain, "sandgate-access-log");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Hands a line over; never blocks. */
    void offer(String line) {
        if (closing || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because too many were waiting (or the writer had closed). */
    long dropped() {
        return dropped.get();
    }

    private void drain() {
        List<String> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                for (String line : batch) {
                    write(line);
                }
                reportDrops();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(String line) {
        try {
            sink.accept(line);
        } catch (RuntimeException e) {
            LOG.debug("access line not written", e); // one line that cannot be written does not stop the others
        }
    }

    private void reportDrops() {
        long now = System.nanoTime();
        long total = dropped.get();
        if (total > reportedDrops && (lastReport == 0 || now - lastReport > TimeUnit.MINUTES.toNanos(1))) {
            LOG.warn("{} access log line(s) dropped: their destination took them more slowly than requests came",
                    total - reportedDrops);
            reportedDrops = total;
            lastReport = now;
        }
    }

    /** Writes what is waiting (for a few seconds at most), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(CLOSE_PATIENCE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
