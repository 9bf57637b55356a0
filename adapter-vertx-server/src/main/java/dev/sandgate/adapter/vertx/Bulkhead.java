package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each sandbox's share of a worker pool: at most {@code perSandbox} of one sandbox's blocking calls run on the pool
 * at once, up to {@code queued} more wait their turn in order, and any beyond that are refused at once with
 * {@code Unavailable} (503 JSON). So whatever a session makes its own sandbox do (files that are slow to open, execs
 * that wait), it holds at most its share of the broker's threads, and every other sandbox and the control plane keep
 * theirs. A call's result comes back on the context (event loop) of the request that submitted it.
 */
final class Bulkhead {
    private final Vertx vertx;
    private final WorkerExecutor pool;
    private final int perSandbox;
    private final int queued;
    private final String what;
    // a lane exists while one of its sandbox's calls runs or waits; mutated only inside compute()
    private final ConcurrentHashMap<SandboxName, Lane> lanes = new ConcurrentHashMap<>();

    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    /**
     * @param what what the calls are, for the refusal's message ("file operations", "waiting execs")
     */
    Bulkhead(Vertx vertx, WorkerExecutor pool, int perSandbox, int queued, String what) {
        this.vertx = Objects.requireNonNull(vertx, "vertx must not be null");
        this.pool = Objects.requireNonNull(pool, "pool must not be null");
        if (perSandbox < 1 || queued < 0) {
            throw new IllegalArgumentException("perSandbox " + perSandbox + " must be positive and queued " + queued
                    + " not negative");
        }
        this.perSandbox = perSandbox;
        this.queued = queued;
        this.what = Objects.requireNonNull(what, "what must not be null");
    }

    /** The share of a pool of {@code poolSize} threads one sandbox may hold: a quarter, at least one. */
    static int shareOf(int poolSize) {
        return Math.max(1, poolSize / 4);
    }

    /** Runs {@code call} on the pool within {@code sandbox}'s share. */
    <T> Future<T> execute(SandboxName sandbox, Callable<T> call) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(call, "call must not be null");
        Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        Runnable start = () -> pool.executeBlocking(call, false).onComplete(ar -> {
            release(sandbox);
            context.runOnContext(v -> promise.handle(ar));
        });
        boolean[] decision = new boolean[2]; // [0] run now, [1] refused
        lanes.compute(sandbox, (name, lane) -> {
            Lane l = lane == null ? new Lane() : lane;
            if (l.running < perSandbox) {
                l.running++;
                decision[0] = true;
            } else if (l.waiting.size() < queued) {
                l.waiting.add(start);
            } else {
                decision[1] = true;
            }
            return l;
        });
        if (decision[1]) {
            return Future.failedFuture(new SandgateException.Unavailable("sandbox " + sandbox.value()
                    + " has too many " + what + " in progress; retry later"));
        }
        if (decision[0]) {
            start.run();
        }
        return promise.future();
    }

    private void release(SandboxName sandbox) {
        Runnable[] next = new Runnable[1];
        lanes.computeIfPresent(sandbox, (name, lane) -> {
            next[0] = lane.waiting.poll();
            if (next[0] == null) {
                lane.running--;
                return lane.running == 0 ? null : lane;
            }
            return lane; // the freed place goes to the next waiting call
        });
        if (next[0] != null) {
            next[0].run();
        }
    }
}
