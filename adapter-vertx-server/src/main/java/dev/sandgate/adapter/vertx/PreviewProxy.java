package dev.sandgate.adapter.vertx;

// Over 400 lines: the preview proxy: carrying out the access decision, cookies and redirects, header rewriting and the upstream relay; tunnels already live in Tunnel; the cookie and header rules are the next to move out.

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.PresentedToken;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reverse proxy behind each application preview's URL {@code /p/{sandbox}/{preview}/…}: HTTP and WebSocket
 * traffic to {@code upstreamHost:{preview port}}, streamed both ways with vertx-core's pooled {@link HttpClient}.
 *
 * <ul>
 * <li>The upstream is the configured host and the preview's port (or the relay the gateway names for a sandbox
 * with a network of its own: {@link SandboxGateway#portAddress}), never anything from the request (Host,
 * absolute-URI request line, X-Forwarded-*).</li>
 * <li>Private previews need a token: header {@code X-Blaxel-Preview-Token}, or {@code ?bl_preview_token=}, or the
 * token cookie. A query token is answered on the request itself, for every client, with
 * {@code Referrer-Policy: no-referrer}; on an origin of the preview's own it also sets the HttpOnly cookie (see
 * {@link #tokenCookie}) that the page's later requests use, and only a browser's top-level navigation is redirected to
 * the same path without the token. On the path form, whose origin other content shares, no cookie is set or read.
 * None of the three, nor the API key, ever reaches the sandbox.</li>
 * <li>Hop-by-hop headers (Connection and what it names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
 * Upgrade except for a WebSocket upgrade) are dropped both ways; {@code requestHeaders} are injected.</li>
 * <li>Who may pass is {@link AccessDecision}'s to say (the token checked first, then a WebSocket upgrade's
 * {@code Origin}); this class carries out its verdict.</li>
 * </ul>
 */
final class PreviewProxy {
    static final String TOKEN_PARAM = "bl_preview_token";
    static final String TOKEN_COOKIE = "bl_preview_token";
    /** Context key: the answer was opened by a query token; the cookie to set with it, if the mount has one. */
    private static final String QUERY_TOKEN_ANSWER = "sandgate.queryTokenAnswer";
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
            "http2-settings");
    private static final Set<String> NEVER_FORWARDED = Set.of("host", "x-blaxel-preview-token",
            "x-blaxel-authorization", "x-blaxel-workspace", "forwarded", "x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-real-ip", "expect");

    private final SandboxGateway gateway;
    private final AccessDecision decision;
    private final OpenGrants grants;
    private final Duration tunnelIdleTimeout;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final HttpClient client;
    private final HttpClient tunnels;
    private final Credentials credentials;
    private final String upstreamHost;
    private final SandboxPorts ports;
    private final String publicScheme;
    /** The broker's own origin ({@code scheme://host[:port]}, lowercase, default port omitted). */
    private final String ownOrigin;
    private final java.util.function.Consumer<HttpServerRequest> onUpgrade;
    private final BrokerMeters meters;

    PreviewProxy(SandboxGateway gateway, AccessDecision decision, OpenGrants grants, Duration tunnelIdleTimeout,
                 Clock clock, WorkerExecutor workers, HttpClient client,
                 HttpClient tunnels, Credentials credentials, String upstreamHost, java.net.URI publicUrl,
                 java.util.function.Consumer<HttpServerRequest> onUpgrade, BrokerMeters meters) {
        this.onUpgrade = onUpgrade;
        this.meters = meters;
        this.gateway = gateway;
        this.decision = decision;
        this.grants = grants;
        this.tunnelIdleTimeout = tunnelIdleTimeout;
        this.clock = clock;
        this.workers = workers;
        this.client = client;
        this.tunnels = tunnels;
        this.credentials = credentials;
        this.upstreamHost = upstreamHost;
        this.ports = new SandboxPorts(gateway, workers);
        this.publicScheme = publicUrl.getScheme().toLowerCase(Locale.ROOT);
        this.ownOrigin = origin(publicUrl);
    }

    /**
     * Where a preview is served from. Path form: under {@code /p/{sandbox}/{preview}} of the broker's origin, which
     * other content shares, so no token cookie is ever set or accepted there: a private preview takes its token on
     * every request. Own origin: at the root of {@code origin}; since browsers send a host's cookies to all its ports,
     * the token cookie's name carries the port ({@code bl_preview_token_<port>}). {@code gone} runs when a request
     * finds the preview deleted.
     */
    record Mount(String prefix, Optional<String> cookie, Optional<String> origin, Runnable gone) {
        static Mount path(SandboxName sandbox, PreviewName preview) {
            return new Mount("/p/" + sandbox.value() + "/" + preview.value(), Optional.empty(), Optional.empty(),
                    () -> {
                    });
        }

        static Mount origin(String origin, int port, Runnable gone) {
            return new Mount("", Optional.of(TOKEN_COOKIE + "_" + port), Optional.of(origin), gone);
        }

        /** A preview at the root of a host name of its own: its cookies are its own already. */
        static Mount host(String origin, Runnable gone) {
            return new Mount("", Optional.of(TOKEN_COOKIE), Optional.of(origin), gone);
        }
    }

    /** {@code rest} is the raw path after {@code /p/{sandbox}/{preview}}; the request is paused. */
    void handle(RoutingContext ctx, SandboxName sandbox, PreviewName name, String rest) {
        handle(ctx, sandbox, name, rest, Mount.path(sandbox, name));
    }

    /** {@code rest} is the raw path under the mount; the request is paused. */
    void handle(RoutingContext ctx, SandboxName sandbox, PreviewName name, String rest, Mount mount) {
        HttpServerRequest request = ctx.request();
        PresentedToken presented = Credentials.presentedToken(request, mount.cookie());
        boolean preflight = Cors.isPreflight(request);
        Optional<String> webSocketOrigin = isWebSocketUpgrade(request)
                ? Optional.of(Optional.ofNullable(request.getHeader("Origin")).orElse("")) : Optional.empty();
        Set<String> own = mount.origin().map(o -> Set.of(ownOrigin, o)).orElseGet(() -> Set.of(ownOrigin));
        var access = new AccessDecision.PreviewRequest(sandbox, name, presented, preflight,
                isTopLevelNavigation(request), webSocketOrigin, own);
        Exchange.blocking(workers, ctx, () -> decision.preview(access, clock.instant()), outcome -> {
            outcome.preview().ifPresent(p -> ctx.put(BrokerServer.CORS_KEY, Cors.headersFor(p.spec().responseHeaders())));
            outcome.grant().ifPresent(g -> ctx.put(BrokerServer.GRANT_KEY, g));
            switch (outcome.verdict()) {
                case NOT_FOUND -> {
                    ctx.addEndHandler(v -> mount.gone().run());
                    ctx.fail(new dev.sandgate.domain.SandgateException.NotFound(
                            "preview " + name + " of sandbox " + sandbox + " not found"));
                }
                case UNAUTHORIZED, EXPIRED -> ctx.fail(401);
                case FORBIDDEN -> ctx.fail(403);
                case REDIRECT, FORWARD_SETTING_COOKIE -> {
                    String token = presented.token().orElseThrow().value().value();
                    Optional<String> setCookie = mount.cookie().map(cookieName -> tokenCookie(cookieName, mount,
                            token, outcome.token().orElseThrow().expiresAt()));
                    if (setCookie.isPresent() && outcome.verdict() == AccessDecision.Verdict.REDIRECT) {
                        redirect(ctx, setCookie.get());
                    } else {
                        ctx.put(QUERY_TOKEN_ANSWER, setCookie);
                        forward(ctx, outcome.preview().orElseThrow(), rest, mount);
                    }
                }
                case FORWARD -> {
                    if (preflight) {
                        Exchange.resume(request);
                        ctx.response().setStatusCode(204).end();
                    } else {
                        forward(ctx, outcome.preview().orElseThrow(), rest, mount);
                    }
                }
            }
        });
    }

    /**
     * The token cookie: {@code HttpOnly}, scoped to the whole origin of its own. Where the origin is a secure context
     * for browsers (https, or loopback, which Chromium treats as secure over plain http) it is
     * {@code SameSite=None; Secure; Partitioned} (CHIPS), the one kind a browser that blocks third-party cookies
     * still sends from a cross-site iframe, kept in that embedding site's partition. On a plain-http origin that is
     * not loopback {@code Secure} cookies are refused, so it falls back to {@code SameSite=Lax}, which works for
     * top-level pages and same-site iframes only (docs/security.md).
     */
    private String tokenCookie(String name, Mount mount, String token, Instant expiresAt) {
        long maxAge = Math.max(0, Duration.between(clock.instant(), expiresAt).toSeconds());
        String base = name + "=" + token + "; Path=/; Max-Age=" + maxAge + "; HttpOnly";
        return base + (secureContext(mount.origin().orElse(ownOrigin))
                ? "; SameSite=None; Secure; Partitioned" : "; SameSite=Lax");
    }

    /** Whether browsers treat {@code origin} ({@code scheme://host[:port]}) as a secure context. */
    static boolean secureContext(String origin) {
        java.net.URI uri = java.net.URI.create(origin);
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return true;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.endsWith(".localhost") || host.equals("[::1]")
                || host.matches("127(\\.\\d{1,3}){3}");
    }

    /**
     * A browser's top-level navigation ({@code Sec-Fetch-Mode: navigate} and {@code Sec-Fetch-Dest: document}): the
     * one request answered with a redirect that takes the token out of the address bar and history. Every other
     * client (an iframe, a script, Node, curl) gets the answer itself.
     */
    static boolean isTopLevelNavigation(HttpServerRequest request) {
        return "navigate".equalsIgnoreCase(request.getHeader("Sec-Fetch-Mode"))
                && "document".equalsIgnoreCase(request.getHeader("Sec-Fetch-Dest"))
                && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
    }

    /**
     * 302 to the same path without the token, setting its cookie. The location is always a path of this origin:
     * leading slashes and backslashes collapse to one slash, so {@code //evil.example/x} stays here.
     */
    private void redirect(RoutingContext ctx, String setCookie) {
        HttpServerRequest request = ctx.request();
        String query = withoutParam(request.query(), TOKEN_PARAM);
        String location = sameOriginPath(request.path()) + (query.isEmpty() ? "" : "?" + query);
        Exchange.resume(request);
        ctx.response().setStatusCode(302)
                .putHeader("Location", location)
                .putHeader("Set-Cookie", setCookie)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Type", Exchange.JSON)
                .end("{}");
    }

    /** {@code path} as a path of this origin: never {@code //host} nor {@code /\host}, which browsers read as hosts. */
    static String sameOriginPath(String path) {
        int i = 0;
        while (i < path.length() && (path.charAt(i) == '/' || path.charAt(i) == '\\')) {
            i++;
        }
        return "/" + path.substring(i);
    }

    private void forward(RoutingContext ctx, Preview preview, String rest, Mount mount) {
        HttpServerRequest request = ctx.request();
        boolean webSocket = isWebSocketUpgrade(request);
        String query = withoutParam(request.query(), TOKEN_PARAM);
        String path = rest.isEmpty() ? "/" : rest;
        RequestOptions options = new RequestOptions()
                .setHost(upstreamHost)
                .setPort(preview.port().value())
                .setMethod(request.method())
                .setURI(path + (query.isEmpty() ? "" : "?" + query))
                .setHeaders(upstreamHeaders(request, preview, webSocket));
        ports.server(preview.sandbox(), preview.port()).compose(server -> {
            server.ifPresent(options::setServer); // a sandbox's own network: the relay its gateway controls
            return (webSocket ? tunnels : client).request(options);
        }).onComplete(ar -> {
            if (ar.failed()) {
                upstreamFailed(ctx);
                return;
            }
            HttpClientRequest upstream = ar.result();
            // Failures are answered through the futures below; this only keeps them out of the error log.
            upstream.exceptionHandler(e -> {
            });
            if (webSocket) {
                upstream.connect().onComplete(res -> {
                    if (res.failed()) {
                        upstreamFailed(ctx);
                    } else if (res.result().statusCode() == 101) {
                        tunnel(ctx, res.result());
                    } else {
                        relay(ctx, res.result(), preview, mount);
                    }
                });
                return;
            }
            boolean hasBody = request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                    || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            if (hasBody) {
                if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                    upstream.setChunked(true);
                }
                upstream.send(request).onComplete(res -> {
                    if (res.failed()) {
                        upstreamFailed(ctx);
                    } else {
                        relay(ctx, res.result(), preview, mount);
                    }
                });
            } else {
                Exchange.resume(request);
                upstream.send().onComplete(res -> {
                    if (res.failed()) {
                        upstreamFailed(ctx);
                    } else {
                        relay(ctx, res.result(), preview, mount);
                    }
                });
            }
        });
    }

    private void relay(RoutingContext ctx, HttpClientResponse upstream, Preview preview, Mount mount) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.headWritten()) {
            abandon(upstream);
            return;
        }
        // A refused WebSocket upgrade never read its request; let the connection move on.
        Exchange.resume(ctx.request());
        response.setStatusCode(upstream.statusCode());
        response.setStatusMessage(upstream.statusMessage());
        copyHeaders(upstream.headers(), response.headers(), false);
        String location = response.headers().get("Location");
        if (location != null) {
            response.headers().set("Location", location(location, preview, mount));
        }
        Optional<String> queryToken = ctx.get(QUERY_TOKEN_ANSWER);
        if (queryToken != null) {
            // opened by ?bl_preview_token=: the page's later requests use the cookie, and nothing it loads leaks
            // the URL that carried the token
            queryToken.ifPresent(c -> response.headers().add("Set-Cookie", c));
            response.headers().set("Referrer-Policy", "no-referrer");
        }
        int status = upstream.statusCode();
        boolean bodiless = status == 204 || status == 304 || status < 200
                || ctx.request().method() == HttpMethod.HEAD;
        if (!bodiless && !upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        // the browser going away (a reloaded iframe) is not an error: cancel the application's request at once
        response.closeHandler(v -> abandon(upstream));
        upstream.exceptionHandler(e -> {
            if (!response.closed() && !response.ended()) {
                response.reset();
            }
        });
        upstream.handler(chunk -> {
            if (response.closed() || response.ended()) {
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(v -> upstream.resume());
            }
        });
        upstream.endHandler(v -> {
            if (!response.closed() && !response.ended()) {
                response.end();
            }
            meters.proxiedToSandbox(ctx.request().bytesRead());
            meters.proxiedToClient(response.bytesWritten());
        });
    }

    /**
     * Cancels an upstream answer nobody will read. The reset reaches the answer as an exception; with no handler of
     * its own Vert.x would log it as an ERROR, once per cancelled load.
     */
    private static void abandon(HttpClientResponse upstream) {
        upstream.exceptionHandler(e -> {
        });
        // chunks already received still drain: to nowhere, not into the closed answer
        upstream.handler(chunk -> {
        });
        upstream.endHandler(v -> {
        });
        upstream.request().reset();
    }

    /**
     * A redirect the application wrote for itself, put back under the preview's prefix: {@code /login} and
     * {@code http://127.0.0.1:3000/login} become {@code /p/{sandbox}/{preview}/login} (or {@code /login} on an
     * origin of its own). Other locations stay.
     */
    private String location(String location, Preview preview, Mount mount) {
        String prefix = mount.prefix();
        String origin = "http://" + upstreamHost + ":" + preview.port().value();
        if (location.startsWith("/") && !location.startsWith("//")) {
            return prefix + location;
        }
        if (location.equals(origin) || location.startsWith(origin + "/") || location.startsWith(origin + "?")) {
            String rest = location.substring(origin.length());
            return prefix + (rest.startsWith("/") ? rest : "/" + rest);
        }
        return location;
    }

    private void tunnel(RoutingContext ctx, HttpClientResponse upstream) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(101);
        copyHeaders(upstream.headers(), response.headers(), true);
        onUpgrade.accept(ctx.request());
        NetSocket backend = upstream.netSocket();
        AccessDecision.Grant grant = ctx.get(BrokerServer.GRANT_KEY);
        ctx.request().toNetSocket().onComplete(ar -> {
            if (ar.failed()) {
                backend.close();
                return;
            }
            NetSocket front = ar.result();
            withoutIdleTimeout(front);
            new Tunnel(ctx.vertx(), front, backend, grants, grant, tunnelIdleTimeout, meters).open();
        });
    }

    /**
     * A WebSocket may stay quiet for long (a dev server's reload channel sends nothing between edits, and browsers
     * send no pings), so a tunnel is exempt from the idle timeout that closes quiet HTTP connections; it lives until
     * either side closes it. Only a client that passed the preview's access check gets a tunnel. The upstream side
     * comes from a client without an idle timeout; the browser side has its connection's idle handler removed
     * (through Vert.x's internal stream-channel view, skipped if a later Vert.x hides it).
     */
    private static void withoutIdleTimeout(NetSocket socket) {
        if (socket instanceof io.vertx.core.internal.net.StreamChannelInternal internal) {
            io.netty.channel.ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
            for (Map.Entry<String, io.netty.channel.ChannelHandler> handler : pipeline) {
                if (handler.getValue() instanceof io.netty.handler.timeout.IdleStateHandler) {
                    pipeline.remove(handler.getValue());
                }
            }
        }
    }

    private void upstreamFailed(RoutingContext ctx) {
        if (!ctx.response().closed() && !ctx.response().headWritten()) {
            ctx.fail(new dev.sandgate.domain.SandgateException.Unavailable(
                    "the preview's port does not answer (is the application listening?)"));
        }
    }

    private MultiMap upstreamHeaders(HttpServerRequest request, Preview preview, boolean webSocket) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        Set<String> named = connectionNamed(request.headers());
        for (Map.Entry<String, String> h : request.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(lower) || named.contains(lower) || NEVER_FORWARDED.contains(lower)) {
                continue;
            }
            if (lower.equals("cookie")) {
                // every preview's token cookie: on a host, browsers send the cookies of all its ports
                String kept = withoutTokenCookies(h.getValue());
                if (!kept.isEmpty()) {
                    out.add(h.getKey(), kept);
                }
                continue;
            }
            if (lower.equals("authorization") && credentials.isApiKeyAuthorization(h.getValue())) {
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        if (webSocket) {
            out.set("Upgrade", "websocket");
            out.set("Connection", "Upgrade");
        }
        out.set("Host", upstreamHost + ":" + preview.port().value());
        var remote = request.remoteAddress();
        if (remote != null && remote.hostAddress() != null) {
            out.set("X-Forwarded-For", remote.hostAddress());
        }
        out.set("X-Forwarded-Proto", publicScheme);
        preview.spec().requestHeaders().values().forEach(out::set);
        return out;
    }

    private static void copyHeaders(MultiMap from, MultiMap to, boolean webSocket) {
        Set<String> named = connectionNamed(from);
        for (Map.Entry<String, String> h : from) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            boolean upgradeHeader = webSocket && (lower.equals("upgrade") || lower.equals("connection"));
            if (!upgradeHeader && (HOP_BY_HOP.contains(lower) || named.contains(lower))) {
                continue;
            }
            to.add(h.getKey(), h.getValue());
        }
    }

    /** The lowercase names listed in Connection headers (which are hop-by-hop too). */
    private static Set<String> connectionNamed(MultiMap headers) {
        Set<String> names = new HashSet<>();
        for (String value : headers.getAll("Connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    private static String origin(java.net.URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return request.method() == HttpMethod.GET && upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connectionNamed(request.headers()).contains("upgrade");
    }

    /** The raw query without every {@code name=…} pair (name compared after decoding). */
    static String withoutParam(String query, String name) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!decodeQuery(key).equals(name)) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    static List<String> queryValues(String query, String name) {
        List<String> values = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decodeQuery(key).equals(name)) {
                values.add(eq < 0 ? "" : decodeQuery(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    /** A Cookie header value without any preview token cookie ({@code bl_preview_token}, {@code bl_preview_token_*}). */
    static String withoutTokenCookies(String header) {
        List<String> kept = new ArrayList<>();
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String key = p.contains("=") ? p.substring(0, p.indexOf('=')).trim() : p;
            if (!key.equals(TOKEN_COOKIE) && !key.startsWith(TOKEN_COOKIE + "_")) {
                kept.add(p);
            }
        }
        return String.join("; ", kept);
    }
}
