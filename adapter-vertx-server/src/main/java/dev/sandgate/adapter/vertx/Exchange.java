package dev.sandgate.adapter.vertx;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Small helpers shared by the handlers: run a gateway call on a worker (never the event loop) and answer JSON.
 * Gateway calls may block (process waits, file I/O, port polling); their results come back on the request's event
 * loop, and their failures go to the router's failure handler.
 */
final class Exchange {
    static final String JSON = "application/json; charset=utf-8";

    private Exchange() {
    }

    static <T> void blocking(WorkerExecutor workers, RoutingContext ctx, Callable<T> call, Consumer<T> then) {
        answer(ctx, workers.executeBlocking(call, false), then);
    }

    /** Hands {@code result} to {@code then} on the request's event loop, or its failure to the failure handler. */
    static <T> void answer(RoutingContext ctx, io.vertx.core.Future<T> result, Consumer<T> then) {
        result.onComplete(ar -> {
            if (ctx.response().closed() || ctx.response().ended()) {
                return;
            }
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            try {
                then.accept(ar.result());
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        });
    }

    /** Resumes a paused request unless it was read to its end already (Vert.x refuses that). */
    static void resume(io.vertx.core.http.HttpServerRequest request) {
        if (!request.isEnded()) {
            request.resume();
        }
    }

    /** Answers {@code status} with a JSON value ({@link io.vertx.core.json.JsonObject} or {@link io.vertx.core.json.JsonArray}). */
    static void json(RoutingContext ctx, int status, Object body) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store");
        response.end(body.toString());
    }
}
