package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The preview proxy, asserted on what a test origin actually receives. */
class PreviewProxyTest {
    private record Seen(String method, String uri, MultiMap headers, String body) {
    }

    private BrokerFixture broker;
    private HttpServer origin;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private SandboxName sandbox;
    private String token;
    private String anyOriginToken;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture(s -> s.toBuilder().keepaliveInterval(Duration.ofMillis(200)).idleTimeout(Duration.ofSeconds(1)).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        origin = broker.vertx.createHttpServer()
                .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
                .requestHandler(req -> req.body().onComplete(body -> {
                    seen.add(new Seen(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                            body.succeeded() ? body.result().toString() : ""));
                    if (req.path().startsWith("/redirect")) {
                        String to = req.path().equals("/redirect-absolute")
                                ? "http://127.0.0.1:" + req.localAddress().port() + "/login?next=1" : "/login";
                        req.response().setStatusCode(302).putHeader("Location", to).end();
                        return;
                    }
                    req.response().putHeader("Content-Type", "text/plain")
                            .putHeader("Connection", "X-Origin-Secret")
                            .putHeader("X-Origin-Secret", "hidden")
                            .putHeader("X-App", "yes")
                            .end("origin:" + req.path());
                }))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = origin.actualPort();
        sandbox = broker.sandbox("web");
        broker.gateway.createPreview(sandbox, new PreviewSpec(PreviewName.of("private"), Port.of(port), false,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")),
                HttpHeaders.of(Map.of("X-Injected", "from-preview")), Optional.empty()));
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("public"), Port.of(port)));
        broker.gateway.createPreview(sandbox, new PreviewSpec(PreviewName.of("any-origin"), Port.of(port), false,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "*")), HttpHeaders.NONE, Optional.empty()));
        anyOriginToken = broker.gateway.createToken(sandbox, PreviewName.of("any-origin"), TokenName.of("t3"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
        broker.gateway.createPreview(sandbox, PreviewSpec.privatePort(PreviewName.of("expiring"), Port.of(port))
                .withExpires(BrokerFixture.T0.plusSeconds(60)));
        PreviewToken t = broker.gateway.createToken(sandbox, PreviewName.of("private"), TokenName.of("t1"),
                BrokerFixture.T0.plus(Duration.ofHours(1)));
        token = t.value().value();
        broker.gateway.createToken(sandbox, PreviewName.of("expiring"), TokenName.of("t2"),
                BrokerFixture.T0.plus(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        origin.close();
        broker.close();
    }

    private String url(String preview, String rest) {
        return broker.base + "/p/web/" + preview + rest;
    }

    private Seen last() {
        assertThat(seen).isNotEmpty();
        return seen.get(seen.size() - 1);
    }

    @Test
    void a_private_preview_without_a_token_is_401_and_the_origin_sees_nothing() {
        HttpResponse<String> r = broker.send(broker.request(url("private", "/x")).GET());
        HttpResponse<String> junk = broker.send(broker.request(url("private", "/x"))
                .header("X-Blaxel-Preview-Token", "junk-junk-junk-junk-junk").GET());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(junk.statusCode()).isEqualTo(401);
        assertThat(junk.body()).isEqualTo(r.body());
        assertThat(seen).isEmpty();
    }

    @Test
    void the_header_token_opens_it_and_never_reaches_the_origin_nor_do_hop_by_hop_headers() {
        HttpResponse<String> r = broker.send(broker.request(url("private", "/app/page?q=1&bl_preview_token=" + token))
                .header("X-Blaxel-Preview-Token", token)
                .header("X-Secret", "s3cret")
                .header("X-Kept", "kept")
                .header("X-Forwarded-Host", "evil.example")
                .header("Cookie", "a=1; bl_preview_token=" + token + "; b=2")
                .POST(HttpRequest.BodyPublishers.ofString("payload")));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("origin:/app/page");
        assertThat(r.headers().firstValue("X-App")).hasValue("yes");
        assertThat(r.headers().firstValue("X-Origin-Secret")).isEmpty();
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        Seen s = last();
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.uri()).isEqualTo("/app/page?q=1");
        assertThat(s.body()).isEqualTo("payload");
        assertThat(s.headers().get("X-Injected")).isEqualTo("from-preview");
        assertThat(s.headers().get("X-Kept")).isEqualTo("kept");
        assertThat(s.headers().get("Cookie")).isEqualTo("a=1; b=2");
        assertThat(s.headers().get("X-Forwarded-Host")).isNull();
        assertThat(s.headers().get("Host")).isEqualTo("127.0.0.1:" + origin.actualPort());
        assertThat(s.headers().contains("X-Blaxel-Preview-Token")).isFalse();
        assertThat(s.headers().toString()).doesNotContain(token);
        assertThat(s.uri()).doesNotContain(token);
    }

    @Test
    void credentials_and_hop_by_hop_headers_spelt_in_odd_cases_never_reach_the_origin() {
        String answer = broker.raw("GET /p/web/private/case HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "x-BLAXEL-preview-TOKEN: " + token + "\r\nX-BLAXEL-AUTHORIZATION: Bearer " + BrokerFixture.KEY + "\r\n"
                + "AUTHORIZATION: Bearer " + BrokerFixture.KEY + "\r\ncOOKIE: a=1; bl_preview_token=" + token + "\r\n"
                + "CONNECTION: Keep-Alive, X-SECRET\r\nx-secret: s3cret\r\nKEEP-ALIVE: timeout=5\r\n"
                + "x-forwarded-HOST: evil.example\r\nX-Visible: v\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200");
        Seen s = last();
        assertThat(s.headers().get("X-Visible")).isEqualTo("v");
        assertThat(s.headers().get("Cookie")).isEqualTo("a=1");
        for (String h : List.of("X-Blaxel-Preview-Token", "X-Blaxel-Authorization", "Authorization", "X-Secret",
                "Keep-Alive", "Connection")) {
            assertThat(s.headers().contains(h)).as(h).isFalse();
        }
        assertThat(s.headers().get("X-Forwarded-Host")).isNull();
        assertThat(s.headers().toString()).doesNotContain(token).doesNotContain(BrokerFixture.KEY);
    }

    @Test
    void connection_named_headers_are_dropped() {
        String answer = broker.raw("GET /p/web/public/hop HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, X-Secret\r\n"
                + "X-Secret: s3cret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic x\r\n"
                + "Upgrade: h2c\r\nTrailer: X-T\r\nX-Visible: v\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200");
        Seen s = last();
        assertThat(s.headers().get("X-Visible")).isEqualTo("v");
        for (String h : List.of("X-Secret", "Keep-Alive", "TE", "Proxy-Authorization", "Upgrade", "Trailer", "Connection")) {
            assertThat(s.headers().contains(h)).as(h).isFalse();
        }
    }

    @Test
    void the_request_line_host_and_forwarding_headers_never_change_the_upstream() {
        String absolute = broker.raw("GET http://169.254.169.254/p/web/public/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Forwarded-Host: evil.example\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n");
        String host = broker.raw("GET /p/web/public/h HTTP/1.1\r\nHost: localhost:" + broker.broker.actualPort()
                + "\r\nConnection: close\r\n\r\n");
        // A Host naming another service is not this broker's: 421, and nothing reaches the origin.
        String redis = broker.raw("GET /p/web/public/r HTTP/1.1\r\nHost: 127.0.0.1:6379\r\nConnection: close\r\n\r\n");
        String ssh = broker.raw("GET /p/web/public/s HTTP/1.1\r\nHost: localhost:22\r\nConnection: close\r\n\r\n");
        String connect = broker.raw("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n");
        String trace = broker.raw("TRACE /p/web/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(absolute).startsWith("HTTP/1.1 200").contains("origin:/meta");
        assertThat(host).startsWith("HTTP/1.1 200").contains("origin:/h");
        assertThat(connect).startsWith("HTTP/1.1 405");
        assertThat(trace).startsWith("HTTP/1.1 405");
        assertThat(redis).startsWith("HTTP/1.1 421");
        assertThat(ssh).startsWith("HTTP/1.1 421");
        assertThat(seen).hasSize(2);
        for (Seen s : seen) {
            assertThat(s.headers().get("Host")).isEqualTo("127.0.0.1:" + origin.actualPort());
            assertThat(s.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(s.headers().get("X-Forwarded-Host")).isNull();
        }
    }

    @Test
    void the_api_key_never_reaches_the_sandbox_but_the_application_own_authorization_does() {
        broker.send(broker.withKey(url("public", "/k")).header("Authorization", "Bearer " + BrokerFixture.KEY).GET());
        Seen withKey = last();
        broker.send(broker.request(url("public", "/k")).header("Authorization", "Basic dXNlcjpwdw==").GET());
        Seen withBasic = last();

        assertThat(withKey.headers().toString()).doesNotContain(BrokerFixture.KEY);
        assertThat(withKey.headers().contains("X-Blaxel-Workspace")).isFalse();
        assertThat(withBasic.headers().get("Authorization")).isEqualTo("Basic dXNlcjpwdw==");
    }

    @Test
    void a_head_and_a_204_from_the_application_are_relayed_without_a_body() {
        String head = broker.raw("HEAD /p/web/public/h HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(head).startsWith("HTTP/1.1 200").doesNotContain("origin:");
        assertThat(last().method()).isEqualTo("HEAD");
    }

    @Test
    void an_application_redirect_stays_under_the_preview_prefix() {
        HttpResponse<String> relative = broker.send(broker.request(url("public", "/redirect")).GET());
        HttpResponse<String> absolute = broker.send(broker.request(url("public", "/redirect-absolute")).GET());

        assertThat(relative.statusCode()).isEqualTo(302);
        assertThat(relative.headers().firstValue("Location")).hasValue("/p/web/public/login");
        assertThat(absolute.headers().firstValue("Location")).hasValue("/p/web/public/login?next=1");
    }

    @Test
    void a_public_preview_serves_a_junk_token_and_strips_it() {
        HttpResponse<String> r = broker.send(broker.request(url("public", "/"))
                .header("X-Blaxel-Preview-Token", "junk-junk-junk-junk-junk").GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(last().headers().contains("X-Blaxel-Preview-Token")).isFalse();
        assertThat(last().uri()).isEqualTo("/");
    }

    @Test
    void a_token_in_the_query_opens_a_path_form_preview_for_a_client_without_cookies_and_never_reaches_the_origin() {
        HttpResponse<String> opened = broker.send(broker.request(url("private", "/page?x=1&bl_preview_token=" + token)).GET());
        String forwarded = last().uri();
        HttpResponse<String> navigation = broker.send(broker.request(url("private", "/page?bl_preview_token=" + token))
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "document").GET());
        HttpResponse<String> badQuery = broker.send(broker.request(url("private", "/page?bl_preview_token=nope-nope-nope-nope")).GET());

        assertThat(opened.statusCode()).isEqualTo(200);
        assertThat(opened.body()).isEqualTo("origin:/page");
        assertThat(forwarded).isEqualTo("/page?x=1");
        assertThat(opened.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // the path form shares the broker's origin with every other preview: it never sets a token cookie
        assertThat(opened.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(navigation.statusCode()).isEqualTo(200);
        assertThat(navigation.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(badQuery.statusCode()).isEqualTo(401);
    }

    @Test
    void another_page_on_the_broker_origin_cannot_open_a_private_path_form_preview_with_a_token_cookie() {
        // a public preview's page under /p/web/public/ running fetch('/p/web/private/secret') sends the origin's
        // cookies: on the path form, no cookie opens a preview
        HttpResponse<String> withCookie = broker.send(broker.request(url("private", "/secret"))
                .header("Cookie", "bl_preview_token=" + token).GET());

        assertThat(withCookie.statusCode()).isEqualTo(401);
        assertThat(seen).isEmpty();
    }

    @Test
    void an_expired_or_unknown_preview_is_refused() {
        broker.clock.advance(Duration.ofMinutes(2));
        HttpResponse<String> expired = broker.send(broker.request(url("expiring", "/")).GET());
        HttpResponse<String> unknown = broker.send(broker.request(url("nothing", "/")).GET());

        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(seen).isEmpty();
    }

    @Test
    void a_preflight_is_answered_by_the_broker_with_the_preview_headers() {
        HttpResponse<String> r = broker.send(broker.request(url("private", "/api"))
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "PUT")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(seen).isEmpty();
    }

    @Test
    void a_dead_port_is_a_json_502_or_503_not_a_hang() throws Exception {
        origin.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        HttpResponse<String> r = broker.send(broker.request(url("public", "/")).GET());

        assertThat(r.statusCode()).isIn(502, 503);
        assertThat(BrokerFixture.json(r).getString("error")).isNotBlank();
    }

    @Test
    void websockets_pass_through_with_the_token() throws Exception {
        WebSocketClient client = broker.vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(broker.broker.actualPort()).setURI("/p/web/private/ws")
                .addHeader("X-Blaxel-Preview-Token", token);

        var ws = client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        var answer = new java.util.concurrent.CompletableFuture<String>();
        ws.textMessageHandler(answer::complete);
        ws.writeTextMessage("ping");

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("echo:ping");
        // Quiet for longer than the idle timeout (1 s here): a tunnel stays open.
        var later = new java.util.concurrent.CompletableFuture<String>();
        broker.vertx.setTimer(1_500, t -> {
            ws.textMessageHandler(later::complete);
            ws.writeTextMessage("again");
        });
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo("echo:again");
        ws.close();
        var refused = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(broker.broker.actualPort()).setURI("/p/web/private/ws"));
        assertThat(refused.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));
        client.close();
    }

    // ---- WebSocket upgrades to private previews: token first, then Origin (case 26) ----

    /** Sends raw bytes and returns the answer's head (status line and headers), or what arrived before 5 s. */
    private String head(String request) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            try {
                int c;
                while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                    head.append((char) c);
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException done) {
                // what arrived is the answer
            }
            return head.toString();
        }
    }

    private String upgrade(String preview, String extraHeaders) throws java.io.IOException {
        return head("GET /p/web/" + preview + "/ws HTTP/1.1\r\nHost: 127.0.0.1:" + broker.broker.actualPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
    }

    @Test
    void a_websocket_upgrade_to_a_private_preview_without_a_token_is_401() throws Exception {
        String none = upgrade("private", "");
        String junk = upgrade("private", "X-Blaxel-Preview-Token: junk-junk-junk-junk-junk\r\n");
        String wrongOriginNoToken = upgrade("private", "Origin: https://evil.example\r\n");

        assertThat(none).startsWith("HTTP/1.1 401");
        assertThat(junk).startsWith("HTTP/1.1 401");
        assertThat(wrongOriginNoToken).startsWith("HTTP/1.1 401");
    }

    @Test
    @DisplayName("a WebSocket upgrade with a token from a foreign Origin is 403 (cross-site WebSocket hijacking)")
    void a_websocket_upgrade_from_a_foreign_origin_is_403() throws Exception {
        String tokenLine = "X-Blaxel-Preview-Token: " + token + "\r\n";
        String theApplicationItself = "http://127.0.0.1:" + this.origin.actualPort();

        for (String origin : List.of("https://evil.example", "null", "https://app.example.evil.com",
                "https://evilapp.example", "http://app.example", theApplicationItself)) {
            assertThat(upgrade("private", tokenLine + "Origin: " + origin + "\r\n")).as(origin).startsWith("HTTP/1.1 403");
        }
    }

    @Test
    @DisplayName("a WebSocket upgrade with a token is let through with no Origin, the broker's own, or one the preview allows")
    void a_websocket_upgrade_from_an_allowed_origin_is_tunnelled() throws Exception {
        String tokenLine = "X-Blaxel-Preview-Token: " + token + "\r\n";
        String own = "http://127.0.0.1:" + broker.broker.actualPort();

        assertThat(upgrade("private", tokenLine)).startsWith("HTTP/1.1 101");
        assertThat(upgrade("private", tokenLine + "Origin: " + own + "\r\n")).startsWith("HTTP/1.1 101");
        assertThat(upgrade("private", tokenLine + "Origin: https://app.example\r\n")).startsWith("HTTP/1.1 101");
        // the path form takes no cookie: a page of the broker's origin cannot open a tunnel with one
        assertThat(upgrade("private", "Cookie: bl_preview_token=" + token + "\r\nOrigin: https://app.example\r\n"))
                .startsWith("HTTP/1.1 401");
        assertThat(upgrade("any-origin", "X-Blaxel-Preview-Token: " + anyOriginToken
                + "\r\nOrigin: https://anyone.example\r\n")).startsWith("HTTP/1.1 101");
        assertThat(upgrade("public", "Origin: https://anyone.example\r\n")).startsWith("HTTP/1.1 101");
    }

    // ---- request smuggling and desync (case 23): 400, or one framing towards the origin ----

    /** Writes raw bytes, reads until the broker closes or is quiet for 2 s. */
    private String exchange(String request) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = socket.getInputStream().read(buffer)) >= 0) {
                    answer.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException quiet) {
                // all that came
            }
            return answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * The client got only 200s and 400s; the origin saw exactly the requests the client got the origin's answer to
     * (so nothing was smuggled past the broker's framing), each with one framing. Every exchange ends with the broker
     * closing or going quiet, never with a 5xx.
     */
    private void assertNoDesync(String what, String request) throws java.io.IOException {
        seen.clear();
        String answer = exchange(request);

        java.util.regex.Matcher statuses = java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3})").matcher(answer);
        List<String> codes = new java.util.ArrayList<>();
        while (statuses.find()) {
            codes.add(statuses.group(1));
        }
        assertThat(codes).as(what + ": " + answer).isNotEmpty().allSatisfy(c -> assertThat(c).isIn("200", "400"));
        List<String> answeredPaths = new java.util.ArrayList<>();
        java.util.regex.Matcher bodies = java.util.regex.Pattern.compile("origin:(/[a-z0-9/_-]*)").matcher(answer);
        while (bodies.find()) {
            answeredPaths.add(bodies.group(1));
        }
        assertThat(seen.stream().map(x -> x.uri()).toList()).as(what).containsExactlyElementsOf(answeredPaths);
        for (Seen s : seen) {
            assertThat(s.headers().getAll("Content-Length")).as(what).hasSizeLessThanOrEqualTo(1);
            assertThat(s.headers().contains("Content-Length") && s.headers().contains("Transfer-Encoding"))
                    .as(what).isFalse();
            assertThat(s.body()).as(what).doesNotContain("GET /").doesNotContain("POST /");
        }
    }

    private static final String SMUGGLED = "GET /p/web/public/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    @Test
    void content_length_with_transfer_encoding_is_refused_or_framed_once() throws Exception {
        String chunkedBody = "0\r\n\r\n" + SMUGGLED;
        assertNoDesync("CL.TE", "POST /p/web/public/clte HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + chunkedBody.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody);
        assertNoDesync("TE.CL", "POST /p/web/public/tecl HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 4\r\n\r\n5c\r\n" + SMUGGLED + "x".repeat(0x5c - SMUGGLED.length()) + "\r\n0\r\n\r\n");
    }

    @Test
    void two_different_content_lengths_are_refused_or_framed_once() throws Exception {
        assertNoDesync("CL.CL", "POST /p/web/public/clcl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                + "Content-Length: " + (5 + SMUGGLED.length()) + "\r\n\r\nhello" + SMUGGLED);
        assertNoDesync("CL list", "POST /p/web/public/cllist HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5, "
                + (5 + SMUGGLED.length()) + "\r\n\r\nhello" + SMUGGLED);
    }

    @Test
    void chunked_then_identity_obs_fold_and_bare_lf_are_refused_or_framed_once() throws Exception {
        assertNoDesync("TE chunked, identity", "POST /p/web/public/teid HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Transfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED);
        assertNoDesync("obs-fold TE", "POST /p/web/public/fold HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: identity\r\n chunked\r\n\r\nhello" + SMUGGLED);
        assertNoDesync("obs-fold header", "GET /p/web/public/fold2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n"
                + "Connection: close\r\n\r\n");
        assertNoDesync("bare LF", "GET /p/web/public/lf HTTP/1.1\nHost: 127.0.0.1\nX-A: 1\nConnection: close\n\n");
        assertNoDesync("bare LF with body", "POST /p/web/public/lfbody HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 5\n\n"
                + "hello" + SMUGGLED);
    }
}
