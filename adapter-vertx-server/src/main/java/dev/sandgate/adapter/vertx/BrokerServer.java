package dev.sandgate.adapter.vertx;

// Over 400 lines: the broker's front (connection guard, host dispatch, faces, failure rendering) is still routed by hand here; issue 12 asks for a Router with sub-routers per face, which is not done yet.

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.PresentedToken;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The session broker: one Vert.x HTTP server serving any {@link SandboxGateway} over the Blaxel wire protocol.
 *
 * <h2>Faces</h2>
 * <ul>
 * <li>Control plane {@code /v0/…} (API key): see {@link ControlPlane}.</li>
 * <li>Data plane at each sandbox's {@code metadata.url} {@code {publicUrl}/{workspace}/sandboxes/{name}} (API key
 * only) and at each session preview's URL {@code {publicUrl}/s/{sandbox}/{preview}} (API key, or a token that
 * {@link AccessStore#verify} accepts for exactly that port-443 preview): see {@link DataPlaneRoutes}.</li>
 * <li>Preview proxy at each application preview's URL: its host name {@code <preview>-<sandbox>.<domain>} on the
 * broker's port when {@link BrokerSettings#previewDomain()} is set (see {@link PreviewHosts}); else its own origin
 * {@code http://host:port} when
 * {@link BrokerSettings#previewPorts()} gives previews ports of their own and no public URL is set (see
 * {@link PreviewOrigins}; the whole path is the application's), else {@code {publicUrl}/p/{sandbox}/{preview}},
 * which is served in every mode: see {@link PreviewProxy}.</li>
 * </ul>
 * URLs follow {@link UrlScheme#under(URI, String)}; preflights on session and preview URLs are answered without
 * authentication, and every answer there carries the preview's CORS headers ({@link Cors}).
 *
 * <h2>Port 0 and the URL scheme: bind first, then serve</h2>
 * The gateway needs the broker's {@link UrlScheme} to name preview URLs, and with port 0 the URL is known only once
 * the socket is bound. So starting has two steps: {@link #prepare(Vertx, BrokerSettings)} binds the socket (requests
 * arriving meanwhile get 503) and exposes {@link Prepared#urlScheme()}; the caller builds its gateway with it and
 * calls {@link Prepared#serve(SandboxGateway, AccessStore, Clock)}. {@link #start} does both when the gateway does
 * not need the scheme. No lazily-resolved URL, no second listen.
 *
 * <h2>Host names</h2>
 * Before routing, every request's {@code Host} must name this broker ({@link OwnHosts}): the public URL's host, and
 * when bound to a loopback or wildcard address also {@code 127.0.0.1}, {@code localhost} and {@code [::1]}, each
 * with its port or none, ignoring case and a trailing dot. Another name gets 421 (a page whose DNS name was
 * rebound to the broker's address cannot use it), a repeated, empty or malformed {@code Host} 400; neither answer
 * echoes the value. The authority of an absolute-form request line is not consulted: it never picks an upstream.
 *
 * <h2>Limits</h2>
 * Idle connections close after {@link BrokerSettings#idleTimeout()} (streamed answers send keepalive lines more
 * often by default); request lines over {@link BrokerSettings#maxInitialLineBytes()} get 414, headers over
 * {@link BrokerSettings#maxHeaderBytes()} 431, API bodies over {@link BrokerSettings#bodyLimitBytes()} 413; preview
 * bodies are streamed. <b>Header deadline:</b> a connection must deliver complete request headers within
 * {@value #HEADER_DEADLINE_SECONDS} s of opening (and of the end of its previous answer), or it is closed; this
 * stops a client that drips one byte at a time, which the idle timeout alone does not (so a kept-alive connection
 * waits at most that long for its next request). A WebSocket tunnel through the preview proxy is exempt from both
 * the idle timeout and the deadline once upgraded; proxied HTTP answers quiet for longer than the idle timeout are
 * cut, as behind most reverse proxies. Every gateway call runs on a
 * worker pool of {@link BrokerSettings#workerPoolSize()} threads, never on an event loop. Every failure becomes a
 * JSON 4xx/5xx, never a 500 with a stack trace. Process execs (which may wait for ports or completion) run on a
 * second pool of the same size, so that waiting clients cannot starve lookups and token checks. <b>Bulkheads:</b>
 * one sandbox's data-plane calls hold at most a quarter of each pool ({@link Bulkhead}); more wait in order, up to
 * {@value DataPlaneRoutes#MAX_QUEUED}, and past that get 503, so no sandbox can take the threads of another or of
 * the control plane.
 */
public final class BrokerServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BrokerServer.class);
    /** Seconds a connection has to send complete request headers. */
    public static final long HEADER_DEADLINE_SECONDS = 10;

    static final String CORS_KEY = "sandgate.cors";
    static final String UPLOAD_KEY = "sandgate.upload";
    private static final String FACE_KEY = "sandgate.face";
    private static final String SANDBOX_KEY = "sandgate.sandbox";
    private static final String REST_KEY = "sandgate.rest";
    private static final String SEGMENTS_KEY = "sandgate.segments";
    /** The {@link AccessDecision.Grant} a session URL's request was let in with (absent for the API key's URLs). */
    static final String GRANT_KEY = "sandgate.grant";
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private enum Face { CONTROL, DATA, PROXY }

    private final Prepared prepared;
    private final SandboxGateway gateway;
    private final AccessDecision decision;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final WorkerExecutor waits;
    private final HttpClient upstream;
    private final HttpClient tunnels;
    private final ControlPlane control;
    private final DataPlaneRoutes dataPlane;
    private final OpenGrants grants;
    private final LineStream.Streams streams;
    private final PreviewProxy proxy;
    private final ClientLimits limits;
    private final long sweeper;

    private BrokerServer(Prepared prepared, SandboxGateway gateway, AccessStore access, Clock clock) {
        this.prepared = prepared;
        this.gateway = Objects.requireNonNull(gateway, "gateway must not be null");
        Objects.requireNonNull(access, "access must not be null");
        this.decision = new AccessDecision((sandbox, preview) -> {
            try {
                return gateway.findPreview(sandbox, preview);
            } catch (SandgateException.NotFound noSuchSandbox) {
                return Optional.empty();
            }
        },
                (sandbox, preview, token, now) -> access.verify(sandbox, preview, token.value(), now));
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        BrokerSettings s = prepared.settings;
        Vertx vertx = prepared.vertx;
        this.workers = vertx.createSharedWorkerExecutor("sandgate-broker-" + System.identityHashCode(this),
                s.workerPoolSize(), 1, TimeUnit.HOURS);
        // Process execs that wait (for ports, for completion) get their own pool, so that clients holding it
        // cannot starve the short calls every request needs (preview lookups, token checks, files).
        this.waits = vertx.createSharedWorkerExecutor("sandgate-broker-waits-" + System.identityHashCode(this),
                s.workerPoolSize(), 1, TimeUnit.HOURS);
        this.upstream = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setIdleTimeout((int) s.idleTimeout().toSeconds())
                        .setMaxHeaderSize(64 * 1024)
                        .setMaxInitialLineLength(16 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
        // WebSocket tunnels: no idle timeout (a quiet reload channel must stay open); an upgraded connection
        // leaves the pool for good.
        this.tunnels = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setMaxHeaderSize(64 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(256));
        this.control = new ControlPlane(gateway, prepared.urls, s.workspace(), clock, workers, prepared.limits);
        this.grants = new OpenGrants(vertx, workers, decision, clock, s.streams().revocationCheck());
        this.streams = new LineStream.Streams(vertx, workers, s.keepaliveInterval(), s.streams(), grants);
        this.dataPlane = new DataPlaneRoutes(vertx, gateway, workers, waits, Bulkhead.shareOf(s.workerPoolSize()),
                streams, new PortProxy(new SandboxPorts(gateway, workers), upstream, prepared.credentials,
                s.upstreamHost()));
        this.limits = prepared.limits;
        this.sweeper = vertx.setPeriodic(ClientLimits.WINDOW_MILLIS, id -> limits.sweep());
        this.proxy = new PreviewProxy(gateway, decision, grants, s.streams().tunnelIdleTimeout(), clock, workers, upstream, tunnels, prepared.credentials,
                s.upstreamHost(), prepared.publicUrl,
                prepared::markUpgraded);
    }

    /** Binds and serves {@code gateway} at once; returns once listening. Call it from a non-event-loop thread. */
    public static BrokerServer start(Vertx vertx, BrokerSettings settings, SandboxGateway gateway, AccessStore access,
                                     Clock clock) {
        Prepared prepared = prepare(vertx, settings);
        try {
            return prepared.serve(gateway, access, clock);
        } catch (RuntimeException e) {
            prepared.close();
            throw e;
        }
    }

    /**
     * Binds the socket and returns the bound broker, whose {@link Prepared#urlScheme()} is final; it answers 503
     * until {@link Prepared#serve} is called. Blocks until bound: call it from a non-event-loop thread.
     */
    public static Prepared prepare(Vertx vertx, BrokerSettings settings) {
        return prepare(vertx, settings, Duration.ofSeconds(HEADER_DEADLINE_SECONDS));
    }

    /** As {@link #prepare(Vertx, BrokerSettings)} with another header deadline (tests use a short one). */
    static Prepared prepare(Vertx vertx, BrokerSettings settings, Duration headerDeadline) {
        Objects.requireNonNull(vertx, "vertx must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(headerDeadline, "headerDeadline must not be null");
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("BrokerServer.prepare/start block until bound: call them from a "
                    + "non-event-loop thread, or wrap them in executeBlocking");
        }
        return new Prepared(vertx, settings, headerDeadline);
    }

    public int actualPort() {
        return prepared.actualPort();
    }

    public URI publicUrl() {
        return prepared.publicUrl();
    }

    public UrlScheme urlScheme() {
        return prepared.urlScheme();
    }

    /** The most one streamed answer has held so far for a client that reads slowly (bytes; for tests). */
    long streamHighWaterBytes() {
        return streams.highWater.get();
    }

    /** How many streams and tunnels are open on a session or preview token now (for tests). */
    int openOnTokens() {
        return grants.size();
    }

    /** Stops listening, closes the proxy's client and the worker pool; waits up to 30 s. Idempotent. */
    @Override
    public void close() {
        prepared.vertx.cancelTimer(sweeper);
        grants.close();
        prepared.close();
        await(upstream.close());
        await(tunnels.close());
        await(workers.close());
        await(waits.close());
    }

    /** A broker bound to its port, not yet serving a gateway. */
    public static final class Prepared implements AutoCloseable {
        private final Vertx vertx;
        private final BrokerSettings settings;
        private final Duration headerDeadline;
        private final HttpServer server;
        private final URI publicUrl;
        private final UrlScheme urls;
        /** Application previews' own origins, when they have them. */
        private final Optional<PreviewOrigins> origins;
        /** Application previews' own host names, when a preview domain is set (it takes precedence over ports). */
        private final Optional<PreviewHosts> hostNames;
        private final HttpServerOptions options;
        private final Map<Integer, OwnHosts> originHosts = new ConcurrentHashMap<>();
        private volatile Handler<HttpServerRequest> originHandler = Prepared::notReady;
        private final Credentials credentials;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean served = new AtomicBoolean();
        private volatile Handler<HttpServerRequest> handler = Prepared::notReady;
        /** Set when serving starts (it needs the served clock); connections before that are not counted. */
        private volatile ClientLimits limits;

        private Prepared(Vertx vertx, BrokerSettings settings, Duration headerDeadline) {
            this.vertx = vertx;
            this.settings = settings;
            this.headerDeadline = headerDeadline;
            this.credentials = new Credentials(settings.apiKey(), settings.workspace());
            this.options = new HttpServerOptions()
                    .setHost(settings.host())
                    .setPort(settings.port())
                    .setIdleTimeout((int) settings.idleTimeout().toMillis())
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setMaxHeaderSize(settings.maxHeaderBytes())
                    .setMaxInitialLineLength(settings.maxInitialLineBytes())
                    .setCompressionSupported(false)
                    // HTTP/1.1 only: no h2c upgrade path around the limits and the proxy's header rules.
                    .setHttp2ClearTextEnabled(false)
                    .setHandle100ContinueAutomatically(true);
            this.server = vertx.createHttpServer(options)
                    .connectionHandler(this::guard)
                    .invalidRequestHandler(Prepared::invalidRequest)
                    .requestHandler(request -> {
                        disarm(request);
                        handler.handle(request);
                    });
            await(server.listen());
            this.publicUrl = settings.publicUrl().orElseGet(() -> URI.create("http://"
                    + hostForUrl(reachable(settings.host())) + ":" + server.actualPort()));
            UrlScheme paths = UrlScheme.under(publicUrl, settings.workspace());
            this.hostNames = settings.previewDomain().map(domain -> new PreviewHosts(domain, publicUrl));
            if (hostNames.isPresent()) {
                this.origins = Optional.empty();
                this.urls = withOwnPreviewUrls(paths, hostNames.get()::urlFor);
            } else if (settings.previewPorts().own() && settings.publicUrl().isEmpty()) {
                PreviewOrigins own = new PreviewOrigins(settings.previewPorts(), settings.host(),
                        hostForUrl(reachable(settings.host())), this::originServer);
                this.origins = Optional.of(own);
                this.urls = withOwnPreviewUrls(paths, own::urlFor);
            } else {
                this.origins = Optional.empty();
                this.urls = paths;
            }
        }

        /**
         * {@code paths} with application previews at the URL {@code own} names (a host name, or an origin of their
         * own), falling back to the path form where it names none; sessions keep the path form.
         */
        private static UrlScheme withOwnPreviewUrls(UrlScheme paths,
                                                    java.util.function.BiFunction<SandboxName, PreviewName,
                                                            Optional<String>> own) {
            return new UrlScheme() {
                @Override
                public String sandboxUrl(SandboxName sandbox) {
                    return paths.sandboxUrl(sandbox);
                }

                @Override
                public String previewUrl(SandboxName sandbox, PreviewName preview, dev.sandgate.domain.Port port) {
                    if (port.equals(dev.sandgate.domain.Port.SANDBOX_API)) {
                        return paths.previewUrl(sandbox, preview, port);
                    }
                    return own.apply(sandbox, preview).orElseGet(() -> paths.previewUrl(sandbox, preview, port));
                }
            };
        }

        /** The server of one preview origin: the broker's options and connection guards on another port. */
        private HttpServer originServer(int port) {
            return vertx.createHttpServer(new HttpServerOptions(options).setPort(port))
                    .connectionHandler(this::guard)
                    .invalidRequestHandler(Prepared::invalidRequest)
                    .requestHandler(request -> {
                        disarm(request);
                        originHandler.handle(request);
                    });
        }

        public int actualPort() {
            return server.actualPort();
        }

        /** {@link BrokerSettings#publicUrl()}, or {@code http://host:actualPort}. */
        public URI publicUrl() {
            return publicUrl;
        }

        /** Where sandboxes and previews are served: {@link UrlScheme#under(URI, String)} of {@link #publicUrl()}. */
        public UrlScheme urlScheme() {
            return urls;
        }

        /** Starts serving {@code gateway}; only once. */
        public BrokerServer serve(SandboxGateway gateway, AccessStore access, Clock clock) {
            if (closed.get()) {
                throw new IllegalStateException("this broker was closed");
            }
            if (!served.compareAndSet(false, true)) {
                throw new IllegalStateException("this broker already serves a gateway");
            }
            limits = new ClientLimits(settings.authFailuresPerMinute(), settings.maxConnectionsPerIp(),
                    settings.tokenMintsPerMinute(), clock);
            BrokerServer broker = new BrokerServer(this, gateway, access, clock);
            Router router = broker.router();
            OwnHosts hosts = OwnHosts.of(publicUrl, settings.host(), actualPort());
            Optional<Router> hostRouter = hostNames.map(named -> broker.hostRouter());
            handler = request -> {
                if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
                    refuse(request, 405);
                    return;
                }
                if (hostRouter.isPresent() && hostNames.get().labelOf(request.headers().getAll("Host")).isPresent()) {
                    hostRouter.get().handle(request);
                    return;
                }
                int hostStatus = hosts.check(request.headers().getAll("Host"));
                if (hostStatus != 0) {
                    refuse(request, hostStatus);
                } else {
                    router.handle(request);
                }
            };
            origins.ifPresent(own -> {
                Router originRouter = broker.originRouter();
                String urlHost = hostForUrl(reachable(settings.host()));
                originHandler = request -> {
                    if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
                        refuse(request, 405);
                        return;
                    }
                    int port = request.localAddress().port();
                    OwnHosts names = originHosts.computeIfAbsent(port, p ->
                            OwnHosts.of(URI.create("http://" + urlHost + ":" + p), settings.host(), p));
                    int hostStatus = names.check(request.headers().getAll("Host"));
                    if (hostStatus != 0) {
                        refuse(request, hostStatus);
                    } else {
                        originRouter.handle(request);
                    }
                };
                broker.restoreOrigins(own);
            });
            return broker;
        }

        /** An answer written before routing, with the control plane's JSON body; the connection is closed after it. */
        private static void refuse(HttpServerRequest request, int status) {
            var response = request.response().setStatusCode(status)
                    .putHeader("Content-Type", Exchange.JSON)
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Connection", "close");
            if (status == 405) {
                response.putHeader("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            }
            response.end(ApiError.ofStatus(status).controlBody().encode());
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                await(server.close());
                origins.ifPresent(own -> own.closeAll().forEach(BrokerServer::await));
            }
        }

        // -- header deadline: armed when a connection opens and when an answer ends, disarmed by complete headers.

        private final Map<HttpConnection, Long> deadlines = new ConcurrentHashMap<>();
        /** Connections that became a tunnel (WebSocket); their header deadline is off for good. */
        private final Map<HttpConnection, Boolean> upgraded = new ConcurrentHashMap<>();

        private void markUpgraded(HttpServerRequest request) {
            upgraded.put(request.connection(), Boolean.TRUE);
        }

        private void guard(HttpConnection connection) {
            arm(connection);
            ClientLimits counting = limits;
            String address = address(connection.remoteAddress());
            boolean allowed = counting == null || counting.connectionOpened(address);
            connection.closeHandler(v -> {
                Long timer = deadlines.remove(connection);
                if (timer != null) {
                    vertx.cancelTimer(timer);
                }
                upgraded.remove(connection);
                if (counting != null) {
                    counting.connectionClosed(address);
                }
            });
            if (!allowed) {
                connection.close();
            }
        }

        private void arm(HttpConnection connection) {
            if (upgraded.containsKey(connection)) {
                return;
            }
            long timer = vertx.setTimer(headerDeadline.toMillis(), t -> {
                deadlines.remove(connection);
                connection.close();
            });
            Long previous = deadlines.put(connection, timer);
            if (previous != null) {
                vertx.cancelTimer(previous);
            }
        }

        private void disarm(HttpServerRequest request) {
            HttpConnection connection = request.connection();
            Long timer = deadlines.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            request.response().endHandler(v -> {
                if (!closed.get()) {
                    arm(connection);
                }
            });
        }

        private static void notReady(HttpServerRequest request) {
            request.response().setStatusCode(503).putHeader("Content-Type", Exchange.JSON)
                    .putHeader("Retry-After", "1")
                    .end(new ApiError(503, "UNAVAILABLE", "the broker is starting").controlBody().encode());
        }

        /** Requests Netty could not decode: 414, 431 or 400, with a JSON body, and the connection closed. */
        private static void invalidRequest(HttpServerRequest request) {
            Throwable cause = request.decoderResult().cause();
            int status = cause instanceof TooLongHttpLineException ? 414
                    : cause instanceof TooLongHttpHeaderException ? 431
                    : cause instanceof TooLongFrameException ? 431 : 400;
            request.response().setStatusCode(status)
                    .putHeader("Content-Type", Exchange.JSON)
                    .putHeader("Connection", "close")
                    .end(ApiError.ofStatus(status).controlBody().encode())
                    .onComplete(v -> request.connection().close());
        }
    }

    // ---- routing ----

    private Router router() {
        Router router = Router.router(prepared.vertx);
        router.route().handler(this::front);
        router.route().handler(this::multipart);
        router.route().handler(BodyHandler.create(false).setBodyLimit(prepared.settings.bodyLimitBytes()));
        router.route().handler(this::dispatch);
        router.route().failureHandler(this::failure);
        return router;
    }

    /** The router of every preview origin: the whole path belongs to the application; errors as on the broker. */
    private Router originRouter() {
        Router router = Router.router(prepared.vertx);
        router.route().handler(this::originFront);
        router.route().failureHandler(this::failure);
        return router;
    }

    /** The router of host-named previews ({@code <preview>-<sandbox>.<domain>}): the whole path is the application's. */
    private Router hostRouter() {
        Router router = Router.router(prepared.vertx);
        router.route().handler(this::hostFront);
        router.route().failureHandler(this::failure);
        return router;
    }

    /** A request to a preview's own host name: the preview is found from the name's label. */
    private void hostFront(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        PreviewHosts named = prepared.hostNames.orElseThrow();
        if (!previewFace(ctx)) {
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
            toHostPreview(ctx, named, label.get(), remembered.get(), path);
            return;
        }
        Exchange.blocking(workers, ctx, () -> named.resolve(label.get(), gateway), key -> {
            if (key.isEmpty()) {
                ctx.fail(new SandgateException.NotFound("no preview answers to this host name"));
            } else {
                toHostPreview(ctx, named, label.get(), key.get(), path);
            }
        });
    }

    private void toHostPreview(RoutingContext ctx, PreviewHosts named, String label, PreviewHosts.Key key,
                               String path) {
        if (Cors.isPreflight(ctx.request())) {
            preflight(ctx, key.sandbox(), key.preview());
            return;
        }
        proxy.handle(ctx, key.sandbox(), key.preview(), path, PreviewProxy.Mount.host(
                named.urlFor(key.sandbox(), key.preview()).orElseThrow(), () -> named.forget(label)));
    }

    /**
     * The preview proxy's face for a request: its errors in the sandbox API's shape, the protocol's CORS headers
     * (the preview's own once known); false, with 429 answered, when the client is over its failed-login limit.
     */
    private boolean previewFace(RoutingContext ctx) {
        ctx.put(FACE_KEY, Face.PROXY);
        ctx.put(CORS_KEY, Cors.DEFAULTS);
        ctx.addHeadersEndHandler(v -> Cors.applyUnder(ctx.response(), ctx.get(CORS_KEY)));
        return !throttled(ctx);
    }

    /** A request on a preview's own origin: the preview is the one listening on the port it arrived on. */
    private void originFront(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        PreviewOrigins own = prepared.origins.orElseThrow();
        int port = request.localAddress().port();
        if (!previewFace(ctx)) {
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
            preflight(ctx, sandbox, preview);
            return;
        }
        String origin = "http://" + hostForUrl(reachable(prepared.settings.host())) + ":" + port;
        proxy.handle(ctx, sandbox, preview, path,
                PreviewProxy.Mount.origin(origin, port, () -> own.release(sandbox, preview)));
    }

    /**
     * Opens the origins of the application previews that exist, on the ports their stored URLs name, so that URLs
     * handed out before a restart keep working. A port that is taken meanwhile is not had: that preview gets a new
     * one when its URL is next named.
     */
    private void restoreOrigins(PreviewOrigins own) {
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

    /** Classifies the request by its raw path, authenticates it, answers preflights and hands proxy traffic over. */
    private void front(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
            ctx.response().putHeader("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            ctx.fail(405);
            return;
        }
        List<String> segments = RawPath.segments(request.path() == null ? "/" : request.path());
        if (!segments.isEmpty() && segments.get(0).equals("v0")) {
            ctx.put(FACE_KEY, Face.CONTROL);
            if (throttled(ctx)) {
                return;
            }
            if (!prepared.credentials.hasApiKey(request)) {
                ctx.fail(401);
                return;
            }
            ctx.put(SEGMENTS_KEY, segments.subList(1, segments.size()));
            ctx.next();
            return;
        }
        if (segments.size() >= 3 && (segments.get(0).equals("s") || segments.get(0).equals("p"))) {
            boolean session = segments.get(0).equals("s");
            ctx.put(FACE_KEY, session ? Face.DATA : Face.PROXY);
            ctx.put(CORS_KEY, Cors.DEFAULTS);
            if (session) {
                ctx.addHeadersEndHandler(v -> Cors.apply(ctx.response(), ctx.get(CORS_KEY)));
            } else {
                ctx.addHeadersEndHandler(v -> Cors.applyUnder(ctx.response(), ctx.get(CORS_KEY)));
            }
            if (throttled(ctx)) {
                return;
            }
            Optional<SandboxName> sandbox = sandboxName(segments.get(1));
            Optional<PreviewName> preview = previewName(segments.get(2));
            if (sandbox.isEmpty() || preview.isEmpty()) {
                ctx.fail(404);
                return;
            }
            String rest = rest(segments, 3);
            request.pause();
            if (Cors.isPreflight(request)) {
                preflight(ctx, sandbox.get(), preview.get());
            } else if (session) {
                session(ctx, sandbox.get(), preview.get(), rest);
            } else {
                proxy.handle(ctx, sandbox.get(), preview.get(), rest);
            }
            return;
        }
        if (segments.size() >= 3 && segments.get(1).equals("sandboxes")) {
            ctx.put(FACE_KEY, Face.DATA);
            if (throttled(ctx)) {
                return;
            }
            Optional<SandboxName> sandbox = sandboxName(segments.get(2));
            if (!segments.get(0).equals(prepared.settings.workspace()) || sandbox.isEmpty()) {
                ctx.fail(404);
                return;
            }
            if (!prepared.credentials.hasApiKey(request)) {
                ctx.fail(401);
                return;
            }
            ctx.put(SANDBOX_KEY, sandbox.get());
            ctx.put(REST_KEY, rest(segments, 3));
            ctx.next();
            return;
        }
        ctx.put(FACE_KEY, Face.CONTROL);
        ctx.fail(404);
    }

    /**
     * Whether the client's address is over its limit of failed authentications ({@link ClientLimits}): then 429
     * with {@code Retry-After} is answered. Preflights carry no credentials and pass.
     */
    private boolean throttled(RoutingContext ctx) {
        if (Cors.isPreflight(ctx.request())) {
            return false;
        }
        var retry = limits.retryAfterSeconds(address(ctx.request().remoteAddress()));
        if (retry.isEmpty()) {
            return false;
        }
        ctx.response().putHeader("Retry-After", Long.toString(retry.getAsLong()));
        ctx.fail(429);
        return true;
    }

    private static String address(io.vertx.core.net.SocketAddress remote) {
        return remote == null || remote.hostAddress() == null ? "" : remote.hostAddress();
    }

    private void preflight(RoutingContext ctx, SandboxName sandbox, PreviewName name) {
        Exchange.blocking(workers, ctx, () -> gateway.findPreview(sandbox, name), preview -> {
            preview.ifPresent(p -> ctx.put(CORS_KEY, Cors.headersFor(p.spec().responseHeaders())));
            Exchange.resume(ctx.request());
            if (preview.isEmpty()) {
                ctx.fail(404);
            } else {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /**
     * A session URL: the API key, or a token valid now for exactly this port-443 preview of this sandbox; only the API
     * key when sessions are refused ({@link BrokerSettings#sessionRefusal()}: 403 with its reason, token or not, and
     * no token is looked up). The preview's CORS headers apply either way, so that a page can read the answer.
     */
    private void session(RoutingContext ctx, SandboxName sandbox, PreviewName name, String rest) {
        boolean apiKey = prepared.credentials.hasApiKey(ctx.request());
        Optional<String> refusal = apiKey ? Optional.empty() : prepared.settings.sessionRefusal();
        if (refusal.isPresent()) {
            Exchange.blocking(workers, ctx, () -> gateway.findPreview(sandbox, name), preview -> {
                preview.filter(Preview::isSandboxApi)
                        .ifPresent(p -> ctx.put(CORS_KEY, Cors.headersFor(p.spec().responseHeaders())));
                ctx.fail(new ApiError.Refusal(ApiError.sessionsRefused(refusal.get())));
            });
            return;
        }
        PresentedToken token = Credentials.sessionToken(ctx.request());
        Exchange.blocking(workers, ctx, () -> decision.session(sandbox, name, apiKey, token, clock.instant()), outcome -> {
            outcome.preview().ifPresent(p -> ctx.put(CORS_KEY, Cors.headersFor(p.spec().responseHeaders())));
            switch (outcome.verdict()) {
                case NOT_FOUND -> ctx.fail(404);
                case FORBIDDEN -> ctx.fail(403);
                case FORWARD, FORWARD_SETTING_COOKIE, REDIRECT -> {
                    ctx.put(SANDBOX_KEY, sandbox);
                    ctx.put(REST_KEY, rest);
                    ctx.put(GRANT_KEY, outcome.grant().orElseThrow());
                    ctx.next();
                }
                default -> ctx.fail(401);
            }
        });
    }

    /** Binary writes ({@code PUT /filesystem/…} as multipart/form-data): the {@code file} part, in memory, limited. */
    private void multipart(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String type = request.getHeader("Content-Type");
        if (ctx.get(FACE_KEY) != Face.DATA || request.method() != HttpMethod.PUT || type == null
                || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            ctx.next();
            return;
        }
        long limit = prepared.settings.bodyLimitBytes();
        String length = request.getHeader("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > limit) {
            ctx.fail(413);
            return;
        }
        Buffer file = Buffer.buffer();
        AtomicBoolean failed = new AtomicBoolean();
        AtomicBoolean sawFile = new AtomicBoolean();
        long[] total = {0};
        request.setExpectMultipart(true);
        request.uploadHandler(upload -> {
            boolean isFile = upload.name().equals("file");
            sawFile.compareAndSet(false, isFile);
            upload.handler(chunk -> {
                total[0] += chunk.length();
                if (total[0] > limit) {
                    if (failed.compareAndSet(false, true)) {
                        ctx.fail(413);
                    }
                    return;
                }
                if (isFile) {
                    file.appendBuffer(chunk);
                }
            });
        });
        request.handler(chunk -> {
        });
        request.exceptionHandler(e -> {
            if (failed.compareAndSet(false, true)) {
                ctx.fail(new SandgateException.InvalidRequest("malformed multipart body"));
            }
        });
        request.endHandler(v -> {
            if (failed.get()) {
                return;
            }
            if (!sawFile.get()) {
                ctx.fail(new SandgateException.InvalidRequest("multipart body has no 'file' part"));
                return;
            }
            ctx.put(UPLOAD_KEY, file.getBytes());
            dispatch(ctx);
        });
        request.resume();
    }

    private void dispatch(RoutingContext ctx) {
        Face face = ctx.get(FACE_KEY);
        if (face == Face.CONTROL) {
            control.handle(ctx, ctx.get(SEGMENTS_KEY));
        } else if (face == Face.DATA) {
            dataPlane.handle(ctx, ctx.get(SANDBOX_KEY), ctx.get(REST_KEY));
        } else {
            ctx.fail(404);
        }
    }

    /** Every failure as JSON: the control plane's shape under /v0 and for unknown routes, the sandbox API's elsewhere. */
    private void failure(RoutingContext ctx) {
        try {
            answerFailure(ctx);
        } catch (RuntimeException e) {
            // Never a 500 page: drop the connection rather than answer something half-written.
            ctx.response().reset();
        }
    }

    private void answerFailure(RoutingContext ctx) {
        ApiError error = ctx.failure() != null ? ApiError.of(ctx.failure()) : ApiError.ofStatus(ctx.statusCode());
        Face face = ctx.get(FACE_KEY);
        boolean control = face == null || face == Face.CONTROL;
        if (!control) {
            error = error.forSandboxApi();
        }
        var response = ctx.response();
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
            limits.failedAuthentication(address(ctx.request().remoteAddress()));
            if (control) {
                response.putHeader("WWW-Authenticate", "Bearer");
            }
        }
        response.end((control ? error.controlBody() : error.dataBody()).encode());
    }

    private static String rest(List<String> segments, int from) {
        return segments.size() <= from ? "" : "/" + String.join("/", segments.subList(from, segments.size()));
    }

    private static Optional<SandboxName> sandboxName(String raw) {
        try {
            return Optional.of(SandboxName.of(RawPath.decode(raw)));
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }

    private static Optional<PreviewName> previewName(String raw) {
        try {
            return Optional.of(PreviewName.of(RawPath.decode(raw)));
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }

    /** A wildcard bind address is not a URL a client can use: name the loopback address instead. */
    private static String reachable(String host) {
        return switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker failed to bind or close: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not bind or close within " + BIND_TIMEOUT, e);
        }
    }
}
