package dev.sandgate.adapter.vertx;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs the proxy's per-request lookup (the access decision) on the event loop once the store behind it has shown
 * that it answers from memory, and on a worker otherwise. A hop to a worker and back costs two thread hand-offs per
 * request, more than the whole decision of an in-memory store (about a microsecond), and it was the largest cost
 * of the proxy's hot path that the broker itself adds (docs/benchmarks.md).
 *
 * <p>The store is not asked whether it is in memory; it is watched. Lookups start on workers, each one timed; after
 * {@value #PROOF} of them in a row took under {@value #FAST_MICROS} µs (a store reached over the network, even on
 * loopback, never does: a Redis round trip alone is about 23 µs), lookups run inline. {@value #SLOW_IN_A_ROW} inline
 * lookups in a row that each take over {@value #SLOW_INLINE_MICROS} µs send every later one back to workers until
 * the proof is made again, so a store that starts blocking (a lock held across a write, a cache gone cold) costs the
 * event loop at most those few calls. One slow call between fast ones is not the store: on a loaded machine the
 * event loop is preempted, or the JVM pauses for a collection, during a lookup many times a second, and when one
 * such call sent the lookups back to workers, a private preview paid a worker hop on thousands of requests after
 * each (docs/benchmarks.md).
 */
final class Lookups {
    static final int PROOF = 1_000;
    static final long FAST_MICROS = 20;
    static final long SLOW_INLINE_MICROS = 200;
    static final int SLOW_IN_A_ROW = 3;

    private final WorkerExecutor workers;
    private final AtomicInteger fastInARow = new AtomicInteger();
    private final AtomicInteger slowInARow = new AtomicInteger();
    private volatile boolean inline;

    Lookups(WorkerExecutor workers) {
        this.workers = workers;
    }

    /** Whether lookups run on the event loop now (for tests). */
    boolean inline() {
        return inline;
    }

    /** Runs {@code call}, then {@code then} on the request's event loop; a failure goes to the failure handler. */
    <T> void run(RoutingContext ctx, Callable<T> call, Consumer<T> then) {
        if (!inline) {
            Exchange.blocking(workers, ctx, () -> timed(call), then);
            return;
        }
        long start = System.nanoTime();
        T result;
        try {
            result = call.call();
        } catch (Exception e) {
            ctx.fail(e);
            return;
        } finally {
            if (System.nanoTime() - start <= SLOW_INLINE_MICROS * 1_000) {
                if (slowInARow.get() != 0) {
                    slowInARow.set(0);
                }
            } else if (slowInARow.incrementAndGet() >= SLOW_IN_A_ROW) {
                inline = false;
                fastInARow.set(0);
                slowInARow.set(0);
            }
        }
        Exchange.answer(ctx, io.vertx.core.Future.succeededFuture(result), then);
    }

    private <T> T timed(Callable<T> call) throws Exception {
        long start = System.nanoTime();
        T result = call.call();
        if (System.nanoTime() - start < FAST_MICROS * 1_000) {
            if (fastInARow.incrementAndGet() >= PROOF) {
                inline = true;
            }
        } else {
            fastInARow.set(0);
        }
        return result;
    }
}
