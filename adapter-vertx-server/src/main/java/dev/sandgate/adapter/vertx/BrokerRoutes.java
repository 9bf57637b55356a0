package dev.sandgate.adapter.vertx;

import static dev.sandgate.domain.SessionScopes.Operation.FS_READ;
import static dev.sandgate.domain.SessionScopes.Operation.FS_WATCH;
import static dev.sandgate.domain.SessionScopes.Operation.FS_WRITE;
import static dev.sandgate.domain.SessionScopes.Operation.PROCESS_EXEC;
import static dev.sandgate.domain.SessionScopes.Operation.PROCESS_READ;
import static dev.sandgate.domain.SessionScopes.Operation.PROCESS_SIGNAL;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The broker's route table, as code: one {@link Router} with a sub-router per face, each face's access handler
 * ({@link AccessHandlers}) first, and one failure handler ({@link Failures}) that answers every error, Vert.x Web's
 * own 404 and 405 included, in the face's wire shape. Requests reach it through {@link HostDispatch}, which has
 * refused what cannot be routed and sent the host-named and own-origin previews to their own routers.
 *
 * <p>The sandbox API is mounted twice with the same routes: at each sandbox's {@code metadata.url} (the API key)
 * and at each session preview's URL (the API key or the session's token). Where a route ends in {@code *}, the
 * handler reads the raw tail itself ({@link RawPath}): the SDK sends a sandbox path as one percent-encoded segment,
 * or unencoded after a slash. Each route of the sandbox API names the scope it needs ({@link ScopeCheck}), checked
 * once before its handler, and each that holds an exec or a stream says so ({@link QuotaCheck}) after it.
 */
final class BrokerRoutes {
    private final Vertx vertx;
    private final String workspace;
    private final AccessHandlers access;
    private final Failures failures;
    private final Uploads uploads;
    private final ControlPlaneRoutes control;
    private final SandboxCalls calls;
    private final ProcessRoutes processes;
    private final FileRoutes files;
    private final SearchRoutes search;
    private final WatchRoutes watch;
    private final PortProxy ports;
    private final PreviewFronts previews;
    private final ClusterGate cluster;
    private final ControlPlaneRoutes forwardedControl;
    private final AuditRoutes audit;

    BrokerRoutes(Vertx vertx, String workspace, AccessHandlers access, Failures failures, Uploads uploads,
                 ControlPlaneRoutes control, SandboxCalls calls, LineStream.Streams streams, PortProxy ports,
                 PreviewFronts previews) {
        this(vertx, workspace, access, failures, uploads, control, calls, streams, ports, previews,
                new ClusterGate(java.util.Optional.empty(), java.util.Optional.empty(), null, workspace, access),
                control);
    }

    /**
     * As a broker of a cluster: {@code cluster} routes each request first, and {@code forwardedControl} answers
     * the lists another broker asks for (this node's sandboxes only, never aggregated again).
     */
    BrokerRoutes(Vertx vertx, String workspace, AccessHandlers access, Failures failures, Uploads uploads,
                 ControlPlaneRoutes control, SandboxCalls calls, LineStream.Streams streams, PortProxy ports,
                 PreviewFronts previews, ClusterGate cluster, ControlPlaneRoutes forwardedControl) {
        this(vertx, workspace, access, failures, uploads, control, calls, streams, ports, previews, cluster,
                forwardedControl, AuditRoutes.none());
    }

    /** As a broker of a cluster, with its audit trail's query route. */
    BrokerRoutes(Vertx vertx, String workspace, AccessHandlers access, Failures failures, Uploads uploads,
                 ControlPlaneRoutes control, SandboxCalls calls, LineStream.Streams streams, PortProxy ports,
                 PreviewFronts previews, ClusterGate cluster, ControlPlaneRoutes forwardedControl, AuditRoutes audit) {
        this.audit = audit;
        this.cluster = cluster;
        this.forwardedControl = forwardedControl;
        this.vertx = vertx;
        this.workspace = workspace;
        this.access = access;
        this.failures = failures;
        this.uploads = uploads;
        this.control = control;
        this.calls = calls;
        this.processes = new ProcessRoutes(calls, streams, access.quotas());
        this.files = new FileRoutes(calls);
        this.search = new SearchRoutes(calls);
        this.watch = new WatchRoutes(calls, streams);
        this.ports = ports;
        this.previews = previews;
    }

    /** The broker's own host names: the control plane, the data plane and the path form of previews. */
    Router broker() {
        Router root = Router.router(vertx);
        root.route().handler(cluster);
        root.route("/v0").handler(access::controlPlane).handler(BrokerRoutes::noRoute);
        root.route("/v0/*").subRouter(controlPlane());
        root.route("/s/:sandbox/:preview").handler(access::session).handler(BrokerRoutes::noRoute);
        root.route("/s/:sandbox/:preview/*").subRouter(sandboxApi(access::session));
        root.route("/p/:sandbox/:preview").handler(previews::pathForm);
        root.route("/p/:sandbox/:preview/*").handler(previews::pathForm);
        String sandboxUrl = "/" + workspace + "/sandboxes/:sandbox";
        root.route(sandboxUrl).handler(access::sandboxApi).handler(BrokerRoutes::noRoute);
        root.route(sandboxUrl + "/*").subRouter(sandboxApi(access::sandboxApi));
        return withFailures(root);
    }

    /** A preview's own host name ({@code <preview>-<sandbox>.<domain>}): the whole path is the application's. */
    Router hostNamedPreviews() {
        Router router = Router.router(vertx);
        router.route().handler(cluster::hostNamed);
        router.route().handler(previews::hostNamed);
        return withFailures(router);
    }

    /** A preview's own origin: the whole path is the application's. */
    Router ownOriginPreviews() {
        Router router = Router.router(vertx);
        router.route().handler(previews::ownOrigin);
        return withFailures(router);
    }

    /** {@code /v0/…} (protocol sections b.0-b.4), behind the API key. */
    private Router controlPlane() {
        Router r = Router.router(vertx);
        r.route().handler(access::controlPlane);
        r.route().handler(uploads.body());
        r.post("/sandboxes").handler(control::createSandbox);
        r.get("/sandboxes").handler(ctx -> controlOf(ctx).listSandboxes(ctx));
        r.get("/sandboxes/by-external-id/:externalId").handler(ctx -> controlOf(ctx).sandboxByExternalId(ctx));
        r.get("/sandboxes/:sandbox").handler(control::getSandbox);
        r.put("/sandboxes/:sandbox").handler(control::updateSandbox);
        r.delete("/sandboxes/:sandbox").handler(control::deleteSandbox);
        r.post("/sandboxes/:sandbox/previews").handler(control::createPreview);
        r.get("/sandboxes/:sandbox/previews").handler(control::listPreviews);
        r.get("/sandboxes/:sandbox/previews/:preview").handler(control::getPreview);
        r.put("/sandboxes/:sandbox/previews/:preview").handler(control::updatePreview);
        r.delete("/sandboxes/:sandbox/previews/:preview").handler(control::deletePreview);
        r.post("/sandboxes/:sandbox/previews/:preview/tokens").handler(control::createToken);
        r.post("/sandboxes/:sandbox/sessions/revoke").handler(control::revokeSessions);
        r.post("/sessions/revoke").handler(control::revokeSubject);
        r.post("/sandboxes/:sandbox/sessions/:session/renew").handler(control::renewSession);
        r.get("/sandboxes/:sandbox/previews/:preview/tokens").handler(control::listTokens);
        r.delete("/sandboxes/:sandbox/previews/:preview/tokens/:token").handler(control::deleteToken);
        // Sandgate's own: the audit trail of the sandbox's sessions
        r.get("/sandboxes/:sandbox/audit").handler(audit::query);
        return r;
    }

    /** The sandbox API of one sandbox (protocol section c), behind {@code access}. */
    private Router sandboxApi(Handler<RoutingContext> access) {
        Router r = Router.router(vertx);
        r.route().handler(access);
        // A write's scope is checked before its upload is read, its path once the body says which (a tree's is its dest).
        r.put("/filesystem/*").handler(ScopeCheck.requires(FS_WRITE)).handler(uploads::multipart);
        r.route().handler(uploads.body());
        // any valid credential of the sandbox: it says only that the sandbox answers (docs/security.md)
        r.get("/health").handler(calls::health);
        QuotaCheck quotas = this.access.quotas();
        r.post("/process").handler(ScopeCheck.exec()).handler(quotas.exec()).handler(processes::exec);
        r.get("/process").handler(ScopeCheck.requires(PROCESS_READ)).handler(processes::list);
        r.get("/process/:id").handler(ScopeCheck.requires(PROCESS_READ)).handler(processes::get);
        r.delete("/process/:id").handler(ScopeCheck.requires(PROCESS_SIGNAL)).handler(processes::stop);
        r.delete("/process/:id/kill").handler(ScopeCheck.requires(PROCESS_SIGNAL)).handler(processes::kill);
        r.get("/process/:id/logs").handler(ScopeCheck.requires(PROCESS_READ)).handler(processes::logs);
        r.get("/process/:id/logs/stream").handler(ScopeCheck.requires(PROCESS_READ)).handler(quotas.stream())
                .handler(processes::streamLogs);
        r.post("/process/:id/stdin").handler(ScopeCheck.requires(PROCESS_EXEC)).handler(processes::writeStdin);
        r.delete("/process/:id/stdin").handler(ScopeCheck.requires(PROCESS_EXEC)).handler(processes::closeStdin);
        r.get("/filesystem/*").handler(ScopeCheck.onPath(FS_READ, 1)).handler(files::read);
        r.put("/filesystem/*").handler(ScopeCheck.write()).handler(files::write);
        r.delete("/filesystem/*").handler(ScopeCheck.onPath(FS_WRITE, 1)).handler(files::remove);
        r.get("/filesystem-find/*").handler(ScopeCheck.onPath(FS_READ, 1)).handler(search::find);
        r.get("/filesystem-content-search/*").handler(ScopeCheck.onPath(FS_READ, 1)).handler(search::grep);
        r.get("/watch/filesystem/*").handler(ScopeCheck.onPath(FS_WATCH, 2)).handler(quotas.stream())
                .handler(watch::watch);
        // sandbox.fetch: any method to the port inside the sandbox, reached the way previews reach it
        r.route("/port/:port").handler(ScopeCheck.port()).handler(this::port);
        r.route("/port/:port/*").handler(ScopeCheck.port()).handler(this::port);
        return r;
    }

    /** The control plane of this request: another broker's list is of this node's sandboxes only. */
    private ControlPlaneRoutes controlOf(RoutingContext ctx) {
        return RequestState.isForwarded(ctx) ? forwardedControl : control;
    }

    /** The cluster's decisions before routing ({@link ClusterGate#beforeRouting}). */
    ClusterGate cluster() {
        return cluster;
    }

    private void port(RoutingContext ctx) {
        ports.handle(ctx, RequestState.sandbox(ctx), PortProxy.rawPort(ctx), FileRoutes.rawTail(ctx, 2));
    }

    private Router withFailures(Router router) {
        router.route().failureHandler(failures);
        router.errorHandler(404, failures);
        router.errorHandler(405, failures);
        return router;
    }

    /** A path the face owns but no route serves (its own base URL): 404 in the face's shape. */
    private static void noRoute(RoutingContext ctx) {
        ctx.fail(404);
    }
}
