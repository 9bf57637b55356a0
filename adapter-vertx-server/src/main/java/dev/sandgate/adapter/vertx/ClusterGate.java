package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandboxName;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a broker of a cluster decides which node serves a request, at the earliest point the sandbox is known: before
 * routing, the {@link ClusterCredential} header is checked (a value that is not the cluster's is refused with 403,
 * on every broker, so that a client can never pass for one); as the broker router's first handler, a request from
 * another broker is marked forwarded, its header stripped (nothing behind this broker ever sees it), and served here,
 * never forwarded again; a request for a sandbox of another node goes there ({@link ClusterForwarder}) before any
 * access decision, which that node makes on the client's own credential; a sandbox whose node is not live answers
 * 503 {@code NODE_UNAVAILABLE} naming it.
 */
final class ClusterGate implements Handler<RoutingContext> {
    private final Optional<Cluster> cluster;
    private final Optional<ClusterForwarder> forwarder;
    private final WorkerExecutor workers;
    private final String workspace;
    private final AccessHandlers access;

    ClusterGate(Optional<Cluster> cluster, Optional<ClusterForwarder> forwarder, WorkerExecutor workers,
                String workspace, AccessHandlers access) {
        this.cluster = cluster;
        this.forwarder = forwarder;
        this.workers = workers;
        this.workspace = workspace;
        this.access = access;
    }

    /**
     * Before routing, on the broker's port: a request with the cluster's credential skips the Host check (the
     * forwarding broker names this node as it knows it); with any other value it is refused.
     */
    Handler<HttpServerRequest> beforeRouting(Handler<HttpServerRequest> normal, Router broker,
                                             Predicate<HttpServerRequest> previewHost) {
        return request -> {
            List<String> presented = request.headers().getAll(ClusterCredential.HEADER);
            if (presented.isEmpty()) {
                normal.handle(request);
                return;
            }
            if (!fromClusterBroker(request)) {
                refuse(request);
            } else if (previewHost.test(request)) {
                normal.handle(request); // the host-named previews' router marks it forwarded ({@link #hostNamed})
            } else if (RawPath.unroutable(request.path() == null ? "/" : request.path()).isPresent()) {
                normal.handle(request);
            } else {
                broker.handle(request);
            }
        };
    }

    /** Whether {@code request} carries the cluster's credential, once (compared in constant time). */
    boolean fromClusterBroker(HttpServerRequest request) {
        List<String> presented = request.headers().getAll(ClusterCredential.HEADER);
        return presented.size() == 1 && cluster.isPresent() && cluster.get().credential().matches(presented.get(0));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (cluster.isEmpty()) {
            ctx.next();
            return;
        }
        if (request.headers().contains(ClusterCredential.HEADER)) {
            // checked before routing: from a broker of this cluster
            request.headers().remove(ClusterCredential.HEADER);
            RequestState.forwarded(ctx);
            ctx.next();
            return;
        }
        List<String> segments = RawPath.segments(request.path() == null ? "/" : request.path());
        Optional<SandboxName> routed = routedSandbox(segments);
        if (routed.isEmpty()) {
            ctx.next();
            return;
        }
        if (!segments.get(0).equals("v0")) {
            RequestState.answerAsSandboxApi(ctx);
        }
        if (access.throttled(ctx)) {
            return;
        }
        request.pause();
        SandboxName sandbox = routed.get();
        Exchange.blocking(workers, ctx, () -> cluster.get().route(sandbox), route -> {
            if (route instanceof NodeRoute.There there) {
                forwarder.orElseThrow().forward(ctx, sandbox, there.node(), there.url());
            } else if (route instanceof NodeRoute.Down down) {
                Exchange.resume(request);
                ctx.fail(Cluster.down(sandbox, down.node(), "is not live (its heartbeat is stale)"));
            } else {
                ctx.next();
            }
        });
    }

    /**
     * The first handler of the host-named previews' router: a request another broker of the cluster forwarded here
     * (its credential checked before routing) loses the header and is served here, never forwarded again.
     */
    void hostNamed(RoutingContext ctx) {
        if (cluster.isPresent() && ctx.request().headers().contains(ClusterCredential.HEADER)) {
            ctx.request().headers().remove(ClusterCredential.HEADER);
            RequestState.forwarded(ctx);
        }
        ctx.next();
    }

    /**
     * A (paused) request for a host-named preview of {@code sandbox}: served {@code here} unless the sandbox lives on
     * another node, where it is forwarded with the {@code Host} it came with (the node dispatches on it; every
     * broker of a cluster has the same public URL and preview domain), or answers 503 while that node is not live.
     * {@code gone} runs when the node answers 404, so that the label is looked up again next time.
     */
    void serveOrForwardHostNamed(RoutingContext ctx, SandboxName sandbox, Runnable gone, Runnable here) {
        if (cluster.isEmpty() || RequestState.isForwarded(ctx)) {
            here.run();
            return;
        }
        Exchange.blocking(workers, ctx, () -> cluster.get().route(sandbox), route -> {
            if (route instanceof NodeRoute.There there) {
                forwarder.orElseThrow().forwardHostNamed(ctx, sandbox, there.node(), there.url(), gone);
            } else if (route instanceof NodeRoute.Down down) {
                Exchange.resume(ctx.request());
                ctx.fail(Cluster.down(sandbox, down.node(), "is not live (its heartbeat is stale)"));
            } else {
                here.run();
            }
        });
    }

    /**
     * The sandbox a request is for, where its path names one: {@code /v0/sandboxes/{name}/…},
     * {@code /s/{sandbox}/…}, {@code /p/{sandbox}/…} and {@code /{workspace}/sandboxes/{name}/…}.
     */
    private Optional<SandboxName> routedSandbox(List<String> segments) {
        if (segments.size() >= 3 && segments.get(0).equals("v0") && segments.get(1).equals("sandboxes")
                && !segments.get(2).equals("by-external-id")) {
            return name(segments.get(2));
        }
        if (segments.size() >= 3 && (segments.get(0).equals("s") || segments.get(0).equals("p"))) {
            return name(segments.get(1));
        }
        if (segments.size() >= 3 && segments.get(0).equals(workspace) && segments.get(1).equals("sandboxes")) {
            return name(segments.get(2));
        }
        return Optional.empty();
    }

    private static Optional<SandboxName> name(String raw) {
        try {
            return Optional.of(SandboxName.of(RawPath.decode(raw)));
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }

    /** A forged or misplaced cluster credential: 403, and the connection closed. */
    private static void refuse(HttpServerRequest request) {
        request.response().setStatusCode(403)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Connection", "close")
                .end(ApiError.clusterCredentialRefused().controlBody().encode());
    }
}
