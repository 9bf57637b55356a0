package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.OwnedProcesses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How the sandbox API's routes reach a sandbox's {@link DataPlane}: every call on a worker, within the sandbox's
 * share of its pool ({@link Bulkhead}), so that no sandbox can take the threads of another or of the control plane.
 * File and process calls share one pool; execs (which may wait for ports or completion) have their own.
 */
final class SandboxCalls {
    /** How many of one sandbox's calls may wait for a thread of their pool before more are refused. */
    static final int MAX_QUEUED = 256;

    private final Vertx vertx;
    private final SandboxGateway gateway;
    private final WorkerExecutor workers;
    private final Bulkhead calls;
    private final Bulkhead execs;

    /**
     * @param workers the pool of the short calls; each sandbox's file and process calls hold at most {@code share}
     *                of its threads
     * @param waits   the pool of execs, shared out the same way
     */
    SandboxCalls(Vertx vertx, SandboxGateway gateway, WorkerExecutor workers, WorkerExecutor waits, int share) {
        this.vertx = vertx;
        this.gateway = gateway;
        this.workers = workers;
        this.calls = new Bulkhead(vertx, workers, share, MAX_QUEUED, "file and process calls");
        this.execs = new Bulkhead(vertx, waits, share, MAX_QUEUED, "execs");
    }

    /** The worker pool of short calls (a stream's last look at its process). */
    WorkerExecutor workers() {
        return workers;
    }

    /**
     * Runs {@code call} on the request's sandbox's data plane as the request's grant may reach it (a session limited
     * to its own processes sees only those: {@link OwnedProcesses}), then {@code then} on the event loop.
     */
    <T> void on(RoutingContext ctx, Function<DataPlane, T> call, Consumer<T> then) {
        SandboxName sandbox = RequestState.sandbox(ctx);
        Optional<AccessDecision.Grant> grant = RequestState.grant(ctx);
        Callable<T> task = () -> {
            DataPlane dp = gateway.dataPlane(sandbox);
            return call.apply(grant.map(g -> OwnedProcesses.of(dp, g)).orElse(dp));
        };
        Exchange.answer(ctx, calls.execute(sandbox, task), then);
    }

    /** As {@link #on}, answering 200 with the JSON body {@code call} gives. */
    <T> void answer(RoutingContext ctx, Function<DataPlane, T> call) {
        on(ctx, call, body -> Exchange.json(ctx, 200, body));
    }

    /** A call within the sandbox's share of the short calls' pool, as a future. */
    <T> Future<T> call(SandboxName sandbox, Callable<T> task) {
        return calls.execute(sandbox, task);
    }

    /** {@code GET /health}: the sandbox answers. */
    void health(RoutingContext ctx) {
        on(ctx, DataPlane::sandbox, name -> Exchange.json(ctx, 200, WireJson.health()));
    }

    /**
     * Starts a process within the sandbox's share of the exec pool; its waits (ports, completion) then hold no
     * thread where the gateway can avoid it ({@link DataPlane#execAsync}).
     */
    Future<Started> launch(SandboxName sandbox, ProcessSpec spec) {
        Context context = vertx.getOrCreateContext();
        return execs.execute(sandbox, () -> {
            DataPlane dp = gateway.dataPlane(sandbox);
            return new Launching(dp, dp.execAsync(spec));
        }).compose(l -> Future.fromCompletionStage(l.started(), context)
                .map(info -> new Started(l.dataPlane(), info))
                .recover(failure -> Future.failedFuture(failure instanceof CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure)));
    }

    private record Launching(DataPlane dataPlane, CompletionStage<ProcessInfo> started) {
    }

    /** A process that started, with the data plane it runs on. */
    record Started(DataPlane dataPlane, ProcessInfo info) {
    }
}
