package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code /healthz} and {@code /readyz} for load balancers, on the broker's listener and on the admin listener alike.
 * No credential is asked: the answers say up or down and name the checks, nothing else.
 *
 * <ul>
 * <li>{@code GET /healthz}: 200 {@code {"status":"alive"}} whenever the process serves requests.</li>
 * <li>{@code GET /readyz}: every {@link Readiness} check, run together on Vert.x's worker pool (never on the event
 * loop, never on the broker's own pools, so a busy broker still answers); 200 when all are ready, else 503 with
 * the failing checks named. A check that does not answer within {@link #CHECK_DEADLINE} counts as failing.</li>
 * </ul>
 */
final class HealthRoutes {
    static final String LIVE = "/healthz";
    static final String READY = "/readyz";
    static final Duration CHECK_DEADLINE = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final List<Readiness> checks;

    HealthRoutes(Vertx vertx, List<Readiness> checks) {
        this.vertx = Objects.requireNonNull(vertx, "vertx must not be null");
        this.checks = List.copyOf(checks);
    }

    /** Whether {@code request} is one of the probes; if so it is answered. */
    boolean handle(HttpServerRequest request) {
        String path = request.path();
        if (!LIVE.equals(path) && !READY.equals(path)) {
            return false;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader("Allow", "GET, HEAD");
            answer(request, 405, new JsonObject().put("status", "method not allowed"));
            return true;
        }
        if (LIVE.equals(path)) {
            answer(request, 200, new JsonObject().put("status", "alive"));
            return true;
        }
        request.pause();
        ready().onComplete(ar -> {
            Exchange.resume(request);
            answer(request, ar.result().getBoolean("ready") ? 200 : 503, ar.result().copy().put("status",
                    ar.result().getBoolean("ready") ? "ready" : "not ready"));
        });
        return true;
    }

    /** Every check's result: {@code {"ready":bool,"checks":[{name,ready,reason?}],"failing":[names]}}; never fails. */
    Future<JsonObject> ready() {
        List<Future<Readiness.Result>> results = new ArrayList<>();
        for (Readiness check : checks) {
            Promise<Readiness.Result> result = Promise.promise();
            long timer = vertx.setTimer(CHECK_DEADLINE.toMillis(), t -> result.tryComplete(
                    Readiness.Result.failing("no answer within " + CHECK_DEADLINE.toSeconds() + " s")));
            vertx.executeBlocking(() -> run(check), false).onComplete(ar -> {
                vertx.cancelTimer(timer);
                result.tryComplete(ar.succeeded() ? ar.result() : Readiness.Result.failing("the check failed"));
            });
            results.add(result.future());
        }
        return Future.join(results).transform(ignored -> {
            JsonArray all = new JsonArray();
            JsonArray failing = new JsonArray();
            for (int i = 0; i < checks.size(); i++) {
                Readiness.Result r = results.get(i).result();
                JsonObject one = new JsonObject().put("name", checks.get(i).name()).put("ready", r.ready());
                r.reason().ifPresent(reason -> one.put("reason", reason));
                all.add(one);
                if (!r.ready()) {
                    failing.add(checks.get(i).name());
                }
            }
            return Future.succeededFuture(new JsonObject().put("ready", failing.isEmpty()).put("checks", all)
                    .put("failing", failing));
        });
    }

    private static Readiness.Result run(Readiness check) {
        try {
            return Objects.requireNonNull(check.check(), "a readiness check answered null");
        } catch (RuntimeException e) {
            return Readiness.Result.failing("the check failed");
        }
    }

    private static void answer(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Cache-Control", "no-store")
                .end(request.method() == HttpMethod.HEAD ? "" : body.encode());
    }
}
