package dev.sandgate.adapter.vertx;

// Over 400 lines: it builds the broker (options, clients, routes, probes, metrics, access log) and owns its start and stop; the wiring reads best in one place until the cluster wiring settles.

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.audit.AuditTrail;
import dev.sandgate.ports.usecase.Sandgate;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The session broker: a Vert.x HTTP server (one per core on each port: {@link LoopServers}) serving any
 * {@link SandboxGateway} over the Blaxel wire protocol. Its faces (control plane {@code /v0}, the sandbox API at
 * each sandbox's {@code metadata.url} and at each session preview's URL, the preview proxy) are the routes of
 * {@link BrokerRoutes}; which router a request reaches (the broker's, a host-named preview's, a preview origin's) is
 * {@link HostDispatch}'s choice, and what a connection must do before any request is read is
 * {@link ConnectionGuard}'s. URLs follow {@link UrlScheme#under(URI, String)}.
 *
 * <h2>Port 0 and the URL scheme: bind first, then serve</h2>
 * The gateway needs the broker's {@link UrlScheme} to name preview URLs, and with port 0 the URL is known only once
 * the socket is bound. So starting has two steps: {@link #prepare(Vertx, BrokerSettings)} binds the socket (requests
 * arriving meanwhile get 503) and exposes {@link Prepared#urlScheme()}; the caller builds its gateway with it and
 * calls {@link Prepared#serve(SandboxGateway, AccessStore, Clock)}. {@link #start} does both when the gateway does
 * not need the scheme. No lazily-resolved URL, no second listen.
 *
 * <h2>Limits</h2>
 * Idle connections close after {@link BrokerSettings#idleTimeout()} (streamed answers send keepalive lines more
 * often by default); request lines over {@link BrokerSettings#maxInitialLineBytes()} get 414, headers over
 * {@link BrokerSettings#maxHeaderBytes()} 431, API bodies over {@link BrokerSettings#bodyLimitBytes()} 413; preview
 * bodies are streamed. Complete request headers are due within {@value #HEADER_DEADLINE_SECONDS} s
 * ({@link ConnectionGuard}). A WebSocket tunnel through the preview proxy is exempt from both the idle timeout and
 * the deadline once upgraded; proxied HTTP answers quiet for longer than the idle timeout are cut, as behind most
 * reverse proxies. Every gateway call runs on a worker pool of {@link BrokerSettings#workerPoolSize()} threads, never
 * on an event loop. Every failure becomes a JSON 4xx/5xx, never a 500 with a stack trace ({@link Failures}). Process
 * execs (which may wait for ports or completion) run on a second pool of the same size, so that waiting clients
 * cannot starve lookups and token checks. <b>Bulkheads:</b> one sandbox's data-plane calls hold at most a quarter of
 * each pool ({@link Bulkhead}); more wait in order, up to {@value SandboxCalls#MAX_QUEUED}, and past that get 503,
 * so no sandbox can take the threads of another or of the control plane.
 */
public final class BrokerServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BrokerServer.class);
    /** Seconds a connection has to send complete request headers. */
    public static final long HEADER_DEADLINE_SECONDS = 10;

    /** Read by {@link PreviewProxy}: the keys of {@link RequestState}'s CORS headers and grant. */
    static final String CORS_KEY = RequestState.CORS_KEY;
    static final String GRANT_KEY = RequestState.GRANT_KEY;
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private final Prepared prepared;
    private final WorkerExecutor workers;
    private final WorkerExecutor waits;
    private final HttpClient upstream;
    private final RawUpstream raw;
    private final HttpClient tunnels;
    private final OpenGrants grants;
    private final LineStream.Streams streams;
    private final ClientLimits limits;
    private final BrokerRoutes routes;
    private final PreviewFronts previews;
    private final long sweeper;
    private final Monitoring monitoring;
    private final HealthRoutes health;
    private final Optional<ClusterForwarder> forwarder;
    private final AuditRecorder audit;

    private BrokerServer(Prepared prepared, SandboxGateway gateway, AccessStore access, Clock clock,
                         Monitoring monitoring, Optional<Cluster> cluster, Auditing auditing) {
        this.prepared = prepared;
        this.monitoring = monitoring;
        this.health = new HealthRoutes(prepared.vertx, monitoring.readiness());
        monitoring.metrics().ifPresent(m -> m.watch(gateway, hostForUrl(reachable(prepared.settings.host())) + ":"
                + prepared.actualPort()));
        Objects.requireNonNull(gateway, "gateway must not be null");
        Objects.requireNonNull(access, "access must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        AccessDecision decision = new AccessDecision((sandbox, preview) -> {
            try {
                return gateway.findPreview(sandbox, preview);
            } catch (SandgateException.NotFound noSuchSandbox) {
                return Optional.empty();
            }
        },
                (sandbox, preview, token, now) -> access.verify(sandbox, preview, token.value(), now));
        BrokerSettings s = prepared.settings;
        Vertx vertx = prepared.vertx;
        this.workers = vertx.createSharedWorkerExecutor("sandgate-broker-" + System.identityHashCode(this),
                s.workerPoolSize(), 1, TimeUnit.HOURS);
        // Process execs that wait (for ports, for completion) get their own pool, so that clients holding it
        // cannot starve the short calls every request needs (preview lookups, token checks, files).
        this.waits = vertx.createSharedWorkerExecutor("sandgate-broker-waits-" + System.identityHashCode(this),
                s.workerPoolSize(), 1, TimeUnit.HOURS);
        // a pool per event loop (PerLoopHttpClient): a proxied request and its answer stay on one thread
        this.upstream = new PerLoopHttpClient(() -> vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setIdleTimeout((int) s.idleTimeout().toSeconds())
                        .setMaxHeaderSize(64 * 1024)
                        .setMaxInitialLineLength(16 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64)));
        // plain requests to previews: raw pooled connections with Netty's HTTP codec (RawUpstream)
        this.raw = new RawUpstream(vertx, s.idleTimeout());
        // WebSocket tunnels: no idle timeout (a quiet reload channel must stay open); an upgraded connection
        // leaves the pool for good.
        this.tunnels = new PerLoopHttpClient(() -> vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setMaxHeaderSize(64 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(256)));
        this.limits = prepared.limits;
        this.grants = new OpenGrants(vertx, workers, decision, clock, s.streams().revocationCheck());
        this.streams = new LineStream.Streams(vertx, workers, s.keepaliveInterval(), s.streams(), grants,
                monitoring.meters());
        SessionQuotaLedger quotaLedger = new SessionQuotaLedger();
        this.sweeper = vertx.setPeriodic(ClientLimits.WINDOW_MILLIS, id -> {
            limits.sweep();
            quotaLedger.sweep(clock.instant());
        });
        PreviewProxy proxy = new PreviewProxy(gateway, decision, grants, s.streams().tunnelIdleTimeout(), clock,
                workers, raw, tunnels, prepared.credentials, s.upstreamHost(), prepared.publicUrl,
                prepared.guard::upgraded, monitoring.meters());
        this.audit = new AuditRecorder(auditing.log(), auditing.queueCapacity(), auditing.webhook()
                .map(w -> new AuditWebhook(vertx, w, clock, monitoring.meters())), clock, monitoring.meters());
        AccessHandlers accessHandlers = new AccessHandlers(gateway, decision, prepared.credentials, s, limits, clock,
                workers, new QuotaCheck(quotaLedger, s.sessionQuotas(), clock, workers), audit);
        String urlHost = hostForUrl(reachable(s.host()));
        Objects.requireNonNull(cluster, "cluster must not be null");
        this.forwarder = cluster.map(c -> new ClusterForwarder(vertx, c.credential(), s.idleTimeout(),
                prepared.guard::upgraded, request -> limits.failedAuthentication(Failures.address(
                        request.remoteAddress())), monitoring.meters()));
        ClusterGate gate = new ClusterGate(cluster, forwarder, workers, s.workspace(), accessHandlers);
        // in a cluster a host name may name any node's preview: the shared store holds them all
        PreviewHosts.Lookup hostLookup = cluster.isPresent() ? access::findPreview : (sandbox, preview) -> {
            try {
                return gateway.findPreview(sandbox, preview);
            } catch (SandgateException.NotFound noSuchSandbox) {
                return Optional.empty();
            }
        };
        this.previews = new PreviewFronts(gateway, workers, accessHandlers, proxy, prepared.hostNames,
                prepared.origins, port -> "http://" + urlHost + ":" + port, hostLookup, gate);
        SandboxCalls calls = new SandboxCalls(vertx, gateway, workers, waits, Bulkhead.shareOf(s.workerPoolSize()));
        ControlPlaneRoutes control = new ControlPlaneRoutes(gateway, Sandgate.create(gateway, clock).sandboxes(),
                prepared.urls, s.workspace(), clock, workers, limits, monitoring.meters());
        PortProxy ports = new PortProxy(new SandboxPorts(gateway, workers), upstream, prepared.credentials,
                s.upstreamHost());
        ControlPlaneRoutes forwardedControl = cluster.map(c -> new ControlPlaneRoutes(c.forwardedGateway(),
                Sandgate.create(c.forwardedGateway(), clock).sandboxes(), prepared.urls, s.workspace(), clock, workers,
                limits, monitoring.meters())).orElse(control);
        this.routes = new BrokerRoutes(vertx, s.workspace(), accessHandlers, new Failures(limits),
                new Uploads(s.bodyLimitBytes()), control, calls, streams, ports, previews,
                gate, forwardedControl, new AuditRoutes(auditing.log().map(l -> (AuditTrail) l), workers));
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

    /** {@code /healthz} and {@code /readyz}, which the admin listener serves too. */
    HealthRoutes health() {
        return health;
    }

    Monitoring monitoring() {
        return monitoring;
    }

    /** How many streams and tunnels are open on a session or preview token now (for tests). */
    int openOnTokens() {
        return grants.size();
    }

    /** How many requests this broker forwarded to other nodes of its cluster. */
    public long forwardedRequests() {
        return forwarder.map(ClusterForwarder::forwardedCount).orElse(0L);
    }

    /** The audit trail's recorder (for tests: what it dropped, appended, delivered). */
    AuditRecorder audit() {
        return audit;
    }

    /** Stops listening, closes the proxy's client and the worker pool; waits up to 30 s. Idempotent. */
    @Override
    public void close() {
        prepared.vertx.cancelTimer(sweeper);
        grants.close();
        prepared.close();
        audit.close();
        forwarder.ifPresent(f -> await(f.close()));
        await(upstream.close());
        await(raw.close());
        await(tunnels.close());
        await(workers.close());
        await(waits.close());
    }

    /** A broker bound to its port, not yet serving a gateway. */
    public static final class Prepared implements AutoCloseable {
        private final Vertx vertx;
        private final BrokerSettings settings;
        /** The broker's port, served from one event loop per core. */
        private final LoopServers server;
        private final URI publicUrl;
        private final UrlScheme urls;
        /** Application previews' own origins, when they have them. */
        private final Optional<PreviewOrigins> origins;
        /** Application previews' own host names, when a preview domain is set (it takes precedence over ports). */
        private final Optional<PreviewHosts> hostNames;
        private final HttpServerOptions options;
        private final ConnectionGuard guard;
        private final AccessLog accessLog;
        private volatile Handler<HttpServerRequest> originHandler = HostDispatch::notReady;
        private final Credentials credentials;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean served = new AtomicBoolean();
        private volatile Handler<HttpServerRequest> handler = HostDispatch::notReady;
        /** Set when serving starts (it needs the served clock). */
        private volatile ClientLimits limits;

        private Prepared(Vertx vertx, BrokerSettings settings, Duration headerDeadline) {
            this.vertx = vertx;
            this.settings = settings;
            this.accessLog = new AccessLog(settings.accessLog(), settings.workspace());
            this.guard = new ConnectionGuard(vertx, headerDeadline, accessLog::closed);
            this.credentials = new Credentials(settings.apiKey(), settings.workspace());
            this.options = new HttpServerOptions()
                    .setHost(settings.host())
                    .setPort(settings.port())
                    .setIdleTimeout((int) settings.idleTimeout().toMillis())
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setMaxHeaderSize(settings.maxHeaderBytes())
                    .setMaxInitialLineLength(settings.maxInitialLineBytes())
                    .setCompressionSupported(false)
                    // The broker never ends a WebSocket itself: a preview's tunnel relays the origin's own handshake
                    // and frames as bytes. So no extension is negotiated here, and Netty's extension handler, which
                    // inspects every response written, is left out of each connection's pipeline.
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)
                    // HTTP/1.1 only: no h2c upgrade path around the limits and the proxy's header rules.
                    .setHttp2ClearTextEnabled(false)
                    .setHandle100ContinueAutomatically(true);
            this.server = new LoopServers(vertx, LoopServers.perCore(), () -> vertx.createHttpServer(options)
                    .connectionHandler(guard::opened)
                    .invalidRequestHandler(request -> {
                        accessLog.begin(request);
                        HostDispatch.invalidRequest(request);
                    })
                    .requestHandler(request -> {
                        accessLog.begin(request);
                        if (!guard.headersArrived(request)) {
                            return;
                        }
                        handler.handle(request);
                    }));
            await(server.listen(settings.host(), settings.port()));
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
            accessLog.previewsBy(this::previewTarget);
        }

        /** The access log's view of a preview request: a preview's host name or own port, and its sandbox. */
        private Optional<AccessLog.Target> previewTarget(HttpServerRequest request) {
            if (origins.isPresent() && request.localAddress() != null
                    && request.localAddress().port() != server.actualPort()) {
                return Optional.of(new AccessLog.Target("preview", origins.get().at(request.localAddress().port())
                        .map(key -> key.sandbox().value())));
            }
            if (hostNames.isPresent()) {
                Optional<String> label = hostNames.get().labelOf(request.headers().getAll("Host"));
                if (label.isPresent()) {
                    return Optional.of(new AccessLog.Target("preview", hostNames.get().remembered(label.get())
                            .map(key -> key.sandbox().value())));
                }
            }
            return Optional.empty();
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
        private LoopServers originServer(int port) {
            return new LoopServers(vertx, LoopServers.perCore(), () -> vertx.createHttpServer(
                            new HttpServerOptions(options).setPort(port))
                    .connectionHandler(guard::opened)
                    .invalidRequestHandler(request -> {
                        accessLog.begin(request);
                        HostDispatch.invalidRequest(request);
                    })
                    .requestHandler(request -> {
                        accessLog.begin(request);
                        if (!guard.headersArrived(request)) {
                            return;
                        }
                        originHandler.handle(request);
                    }));
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

        /** Starts serving {@code gateway}, without readiness checks or metrics; only once. */
        public BrokerServer serve(SandboxGateway gateway, AccessStore access, Clock clock) {
            return serve(gateway, access, clock, Monitoring.none());
        }

        /** Starts serving {@code gateway}, with what operators see of it; only once. */
        public BrokerServer serve(SandboxGateway gateway, AccessStore access, Clock clock, Monitoring monitoring) {
            return serve(gateway, access, clock, monitoring, Optional.empty());
        }

        /**
         * Starts serving {@code gateway} as a broker of {@code cluster}, when present: requests for a sandbox of
         * another node are forwarded there ({@link ClusterGate}); only once.
         */
        public BrokerServer serve(SandboxGateway gateway, AccessStore access, Clock clock, Monitoring monitoring,
                                  Optional<Cluster> cluster) {
            return serve(gateway, access, clock, monitoring, cluster, Auditing.none());
        }

        /**
         * As {@link #serve(SandboxGateway, AccessStore, Clock, Monitoring, Optional)}, recording every use of a
         * session as {@code auditing} says ({@link AuditRecorder}).
         */
        public BrokerServer serve(SandboxGateway gateway, AccessStore access, Clock clock, Monitoring monitoring,
                                  Optional<Cluster> cluster, Auditing auditing) {
            Objects.requireNonNull(auditing, "auditing must not be null");
            Objects.requireNonNull(monitoring, "monitoring must not be null");
            Objects.requireNonNull(cluster, "cluster must not be null");
            if (closed.get()) {
                throw new IllegalStateException("this broker was closed");
            }
            if (!served.compareAndSet(false, true)) {
                throw new IllegalStateException("this broker already serves a gateway");
            }
            limits = new ClientLimits(settings.authFailuresPerMinute(), settings.maxConnectionsPerIp(),
                    settings.tokenMintsPerMinute(), clock);
            BrokerServer broker = new BrokerServer(this, gateway, access, clock, monitoring, cluster, auditing);
            guard.countWith(limits, broker.routes.cluster()::fromClusterBroker);
            BrokerMeters meters = monitoring.meters();
            guard.observeAnswers((request, nanos) -> meters.answered(face(request), request.response().getStatusCode(),
                    nanos));
            Router brokerRouter = broker.routes.broker();
            Handler<HttpServerRequest> dispatch = broker.routes.cluster().beforeRouting(HostDispatch.broker(
                    OwnHosts.of(publicUrl, settings.host(), actualPort()), hostNames,
                    hostNames.map(named -> broker.routes.hostNamedPreviews()), brokerRouter), brokerRouter,
                    this::previewHost);
            // probes come from load balancers that name the broker by its address: answered whatever the Host,
            // except on a preview's host name, where every path is the application's
            handler = request -> {
                if (previewHost(request) || !broker.health.handle(request)) {
                    dispatch.handle(request);
                }
            };
            origins.ifPresent(own -> {
                originHandler = HostDispatch.ownOrigins(hostForUrl(reachable(settings.host())), settings.host(),
                        broker.routes.ownOriginPreviews());
                broker.previews.restoreOrigins();
            });
            return broker;
        }

        private boolean previewHost(HttpServerRequest request) {
            return hostNames.flatMap(named -> named.labelOf(request.headers().getAll("Host"))).isPresent();
        }

        /** The face a request reached, for its metrics: previews' host names and origins, else by its path. */
        private BrokerMeters.Face face(HttpServerRequest request) {
            boolean previewOrigin = request.localAddress() != null && request.localAddress().port() != actualPort();
            return previewHost(request) || previewOrigin ? BrokerMeters.Face.PREVIEW
                    : BrokerMeters.Face.ofPath(request.path());
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                guard.close();
                await(server.close());
                origins.ifPresent(own -> own.closeAll().forEach(BrokerServer::await));
                accessLog.close();
            }
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
