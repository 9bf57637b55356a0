package dev.sandgate.adapter.vertx;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * The one failure handler of every router: each error (a thrown {@code SandgateException}, a status set with
 * {@code ctx.fail}, Vert.x Web's own 404, 405 and 413) as JSON in its face's shape ({@link ApiError}): the control
 * plane's for {@code /v0} and unknown paths, the sandbox API's for the data plane, session URLs and previews
 * ({@link RequestState#answersAsSandboxApi}). A 401 counts against the client's address ({@link ClientLimits}).
 * Never a 500 page: a failure while answering drops the connection instead.
 */
final class Failures implements Handler<RoutingContext> {
    private final ClientLimits limits;

    Failures(ClientLimits limits) {
        this.limits = limits;
    }

    @Override
    public void handle(RoutingContext ctx) {
        try {
            answer(ctx);
        } catch (RuntimeException e) {
            ctx.response().reset();
        }
    }

    private void answer(RoutingContext ctx) {
        ApiError error = ctx.failure() != null ? ApiError.of(ctx.failure()) : ApiError.ofStatus(ctx.statusCode());
        boolean control = !RequestState.answersAsSandboxApi(ctx);
        if (!control) {
            error = error.forSandboxApi();
        }
        RequestState.errorCode(ctx, error.code());
        HttpServerResponse response = ctx.response();
        if (response.closed()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        Exchange.resume(ctx.request());
        response.setStatusCode(error.status())
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Cache-Control", "no-store");
        if (error.status() == 401) {
            if (!RequestState.isForwarded(ctx)) {
                // a forwarded request's client is counted by the broker that forwarded it
                limits.failedAuthentication(address(ctx.request().remoteAddress()));
            }
            if (control) {
                response.putHeader("WWW-Authenticate", "Bearer");
            }
        }
        response.end((control ? error.controlBody() : error.dataBody()).encode());
    }

    /** The client's address as {@link ClientLimits} counts it. */
    static String address(SocketAddress remote) {
        if (remote == null) {
            return "";
        }
        String host = remote.hostAddress(); // formatted again on every call: once per request is enough
        return host == null ? "" : host;
    }
}
