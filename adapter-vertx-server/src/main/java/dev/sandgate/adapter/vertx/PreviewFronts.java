package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Where a request for an application preview enters the {@link PreviewProxy}: the path form
 * {@code /p/{sandbox}/{preview}/…} on the broker's router, a host name of its own ({@link PreviewHosts}) and an
 * origin of its own ({@link PreviewOrigins}), both dispatched by host before any router ({@link HostDispatch}). Each
 * answers in the sandbox API's shape with the protocol's CORS headers (the preview's own once known, a proxied
 * application's own winning), refuses a client over its failed-login limit, and answers preflights itself; the
 * proxy then decides access and forwards.
 */
final class PreviewFronts {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PreviewFronts.class);

    private final SandboxGateway gateway;
    private final WorkerExecutor workers;
    private final AccessHandlers access;
    private final PreviewProxy proxy;
    private final Optional<PreviewHosts> hostNames;
    private final Optional<PreviewOrigins> origins;
    /** The URL of the own origin on a port. */
    private final IntFunction<String> originUrl;
    /** Where host names' previews are looked up, and which node serves them. */
    private final PreviewHosts.Lookup hostLookup;
    private final ClusterGate cluster;

    PreviewFronts(SandboxGateway gateway, WorkerExecutor workers, AccessHandlers access, PreviewProxy proxy,
                  Optional<PreviewHosts> hostNames, Optional<PreviewOrigins> origins, IntFunction<String> originUrl,
                  PreviewHosts.Lookup hostLookup, ClusterGate cluster) {
        this.hostLookup = hostLookup;
        this.cluster = cluster;
        this.gateway = gateway;
        this.workers = workers;
        this.access = access;
        this.proxy = proxy;
        this.hostNames = hostNames;
        this.origins = origins;
        this.originUrl = originUrl;
    }

    /** {@code /p/{sandbox}/{preview}/…}: the raw rest of the path is the application's. */
    void pathForm(RoutingContext ctx) {
        if (!enter(ctx)) {
            return;
        }
        Optional<SandboxName> sandbox = AccessHandlers.name(ctx.pathParam("sandbox"), SandboxName::of);
        Optional<PreviewName> preview = AccessHandlers.name(ctx.pathParam("preview"), PreviewName::of);
        if (sandbox.isEmpty() || preview.isEmpty()) {
            ctx.fail(404);
            return;
        }
        String rest = RawPath.after(ctx.request().path(), 3);
        ctx.request().pause();
        if (Cors.isPreflight(ctx.request())) {
            access.preflight(ctx, sandbox.get(), preview.get());
        } else {
            proxy.handle(ctx, sandbox.get(), preview.get(), rest);
        }
    }

    /**
     * A request to a preview's own host name: the preview is found from the name's label; in a cluster, a preview of
     * another node's sandbox is forwarded there with its {@code Host}, preflights included.
     */
    void hostNamed(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        PreviewHosts named = hostNames.orElseThrow();
        if (!enter(ctx)) {
            return;
        }
        String path = request.path();
        Optional<String> label = named.labelOf(request.headers().getAll("Host"));
        if (label.isEmpty() || path == null || !path.startsWith("/")) {
            ctx.fail(400);
            return;
        }
        request.pause();
        Optional<PreviewHosts.Key> remembered = named.remembered(label.get());
        if (remembered.isPresent()) {
            toNode(ctx, named, label.get(), remembered.get(), path);
            return;
        }
        Exchange.blocking(workers, ctx, () -> named.resolve(label.get(), hostLookup), key -> {
            if (key.isEmpty()) {
                ctx.fail(new SandgateException.NotFound("no preview answers to this host name"));
            } else {
                toNode(ctx, named, label.get(), key.get(), path);
            }
        });
    }

    private void toNode(RoutingContext ctx, PreviewHosts named, String label, PreviewHosts.Key key, String path) {
        cluster.serveOrForwardHostNamed(ctx, key.sandbox(), () -> named.forget(label),
                () -> toHostPreview(ctx, named, label, key, path));
    }

    private void toHostPreview(RoutingContext ctx, PreviewHosts named, String label, PreviewHosts.Key key,
                               String path) {
        if (Cors.isPreflight(ctx.request())) {
            access.preflight(ctx, key.sandbox(), key.preview());
            return;
        }
        proxy.handle(ctx, key.sandbox(), key.preview(), path, PreviewProxy.Mount.host(
                named.urlFor(key.sandbox(), key.preview()).orElseThrow(), () -> named.forget(label)));
    }

    /** A request on a preview's own origin: the preview is the one listening on the port it arrived on. */
    void ownOrigin(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        PreviewOrigins own = origins.orElseThrow();
        int port = request.localAddress().port();
        if (!enter(ctx)) {
            return;
        }
        Optional<PreviewOrigins.Key> key = own.at(port);
        String path = request.path();
        if (key.isEmpty()) {
            ctx.fail(404);
            return;
        }
        if (path == null || !path.startsWith("/")) {
            ctx.fail(400);
            return;
        }
        SandboxName sandbox = key.get().sandbox();
        PreviewName preview = key.get().preview();
        request.pause();
        if (Cors.isPreflight(request)) {
            access.preflight(ctx, sandbox, preview);
            return;
        }
        proxy.handle(ctx, sandbox, preview, path,
                PreviewProxy.Mount.origin(originUrl.apply(port), port, () -> own.release(sandbox, preview)));
    }

    /**
     * The preview face for a request: its errors in the sandbox API's shape, the protocol's CORS headers (the
     * preview's own once known); false, with 429 answered, when the client is over its failed-login limit.
     */
    private boolean enter(RoutingContext ctx) {
        RequestState.answerAsSandboxApi(ctx);
        ctx.addHeadersEndHandler(v -> Cors.applyUnder(ctx.response(), RequestState.cors(ctx)));
        return !access.throttled(ctx);
    }

    /**
     * Opens the origins of the application previews that exist, on the ports their stored URLs name, so that URLs
     * handed out before a restart keep working. A port that is taken meanwhile is not had: that preview gets a new
     * one when its URL is next named.
     */
    void restoreOrigins() {
        PreviewOrigins own = origins.orElseThrow();
        int restored = 0;
        try {
            for (var sandbox : gateway.listSandboxes()) {
                for (Preview p : gateway.listPreviews(sandbox.name())) {
                    if (!p.isSandboxApi() && own.portOf(p.url()).map(port -> own.restore(p.sandbox(), p.name(), port))
                            .orElse(false)) {
                        restored++;
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("could not reopen the origins of existing previews: {}", e.getMessage());
        }
        if (restored > 0) {
            LOG.info("reopened the origins of {} application preview(s)", restored);
        }
    }
}
