package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Application previews on origins of their own ({@link PreviewPorts#auto()}): the whole path belongs to the
 * application, so root-absolute links work; tokens, cookies, hosts and CORS hold as on the path form.
 */
class PreviewOriginTest {
    private record Seen(String uri, MultiMap headers) {
    }

    private BrokerFixture broker;
    private HttpServer app;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private SandboxName sandbox;
    private String token;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture(s -> s.toBuilder().previewPorts(PreviewPorts.auto()).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        app = broker.vertx.createHttpServer()
                .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
                .requestHandler(req -> {
                    seen.add(new Seen(req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers())));
                    if (req.path().equals("/redirect-absolute")) {
                        req.response().setStatusCode(302).putHeader("Location",
                                "http://127.0.0.1:" + req.localAddress().port() + "/login?next=1").end();
                        return;
                    }
                    req.response().putHeader("Content-Type", "text/plain").end("app:" + req.path());
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Port port = Port.of(app.actualPort());
        sandbox = broker.sandbox("web");
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("public"), port));
        broker.gateway.createPreview(sandbox, new PreviewSpec(PreviewName.of("private"), port, false,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")), HttpHeaders.NONE,
                Optional.empty()));
        token = broker.gateway.createToken(sandbox, PreviewName.of("private"), TokenName.of("t1"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
    }

    @AfterEach
    void stop() {
        app.close();
        broker.close();
    }

    /** The preview's URL as the control plane gives it. */
    private String urlOf(String preview) {
        HttpResponse<String> r = broker.get("/v0/sandboxes/web/previews/" + preview);
        assertThat(r.statusCode()).isEqualTo(200);
        return BrokerFixture.json(r).getJsonObject("spec").getString("url");
    }

    private static int portOf(String url) {
        return URI.create(url).getPort();
    }

    @Test
    void an_application_preview_has_an_origin_of_its_own_where_root_absolute_paths_reach_the_application() {
        String url = urlOf("public");

        assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(portOf(url)).isNotEqualTo(broker.broker.actualPort());
        assertThat(urlOf("public")).isEqualTo(url);
        assertThat(urlOf("private")).isNotEqualTo(url);
        HttpResponse<String> root = broker.send(broker.request(url + "/").GET());
        HttpResponse<String> vite = broker.send(broker.request(url + "/@vite/client?t=1").GET());
        assertThat(root.body()).isEqualTo("app:/");
        assertThat(vite.statusCode()).isEqualTo(200);
        assertThat(vite.body()).isEqualTo("app:/@vite/client");
        assertThat(seen.get(seen.size() - 1).uri()).isEqualTo("/@vite/client?t=1");
        // the path form keeps working for URLs handed out before
        assertThat(broker.send(broker.request(broker.base + "/p/web/public/x").GET()).body()).isEqualTo("app:/x");
    }

    @Test
    void a_session_preview_keeps_the_path_form() {
        broker.session(sandbox, "session", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());

        assertThat(urlOf("session")).isEqualTo(broker.base + "/s/web/session");
    }

    @Test
    void a_private_preview_answers_a_query_token_itself_and_sets_a_cookie_named_for_its_port_which_the_application_never_sees() {
        String url = urlOf("private");
        int port = portOf(url);

        HttpResponse<String> anonymous = broker.send(broker.request(url + "/x").GET());
        HttpResponse<String> opened = broker.send(broker.request(url + "/page?a=1&bl_preview_token=" + token).GET());
        String forwarded = seen.get(seen.size() - 1).uri();
        String cookie = "bl_preview_token_" + port + "=" + token;
        HttpResponse<String> withCookie = broker.send(broker.request(url + "/page")
                .header("Cookie", "a=1; " + cookie + "; bl_preview_token_1=other; bl_preview_token=x; b=2").GET());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(opened.statusCode()).isEqualTo(200);
        assertThat(opened.body()).isEqualTo("app:/page");
        assertThat(forwarded).isEqualTo("/page?a=1");
        assertThat(opened.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // a loopback origin is a secure context for browsers: the cookie a cross-site iframe may still use (CHIPS)
        assertThat(opened.headers().firstValue("Set-Cookie")).get().asString()
                .startsWith(cookie + "; Path=/; Max-Age=").contains("HttpOnly")
                .contains("SameSite=None").contains("Secure").contains("Partitioned");
        assertThat(withCookie.statusCode()).isEqualTo(200);
        assertThat(withCookie.body()).isEqualTo("app:/page");
        assertThat(seen.get(seen.size() - 1).headers().get("Cookie")).isEqualTo("a=1; b=2");
        // another preview's cookie does not open this one
        HttpResponse<String> foreign = broker.send(broker.request(url + "/page")
                .header("Cookie", "bl_preview_token_1=" + token).GET());
        assertThat(foreign.statusCode()).isEqualTo(401);
    }

    @Test
    void only_a_top_level_browser_navigation_with_a_query_token_is_redirected_to_the_path_without_it() {
        String url = urlOf("private");
        HttpResponse<String> navigation = broker.send(broker.request(url + "/page?a=1&bl_preview_token=" + token)
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "document").GET());
        HttpResponse<String> iframe = broker.send(broker.request(url + "/page?bl_preview_token=" + token)
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "iframe").GET());
        HttpResponse<String> script = broker.send(broker.request(url + "/page?bl_preview_token=" + token)
                .header("Sec-Fetch-Mode", "cors").header("Sec-Fetch-Dest", "empty").GET());

        assertThat(navigation.statusCode()).isEqualTo(302);
        assertThat(navigation.headers().firstValue("Location")).hasValue("/page?a=1");
        assertThat(navigation.headers().firstValue("Set-Cookie")).get().asString().contains("Partitioned");
        assertThat(navigation.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(iframe.statusCode()).isEqualTo(200);
        assertThat(iframe.body()).isEqualTo("app:/page");
        assertThat(script.statusCode()).isEqualTo(200);
    }

    @Test
    void a_query_token_navigation_to_a_double_slash_path_never_redirects_to_another_host() throws IOException {
        int port = portOf(urlOf("private"));
        for (String path : List.of("//evil.example/x", "/\\evil.example/x", "///evil.example/x")) {
            String answer = rawAnswer(port, "GET " + path + "?bl_preview_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + port + "\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\nConnection: close\r\n\r\n");

            assertThat(answer).as(path).startsWith("HTTP/1.1 302")
                    .containsIgnoringCase("location: /evil.example/x\r\n");
        }
    }

    @Test
    void an_application_redirect_to_itself_stays_on_the_preview_origin() {
        HttpResponse<String> r = broker.send(broker.request(urlOf("public") + "/redirect-absolute").GET());

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/login?next=1");
    }

    @Test
    void a_preflight_on_a_preview_origin_is_answered_with_the_preview_headers() {
        HttpResponse<String> r = broker.send(broker.request(urlOf("private") + "/api")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST"));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(seen).isEmpty();
    }

    @Test
    void a_preview_origin_answers_only_its_own_host_names() throws IOException {
        int port = portOf(urlOf("public"));

        assertThat(raw(port, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")).startsWith("HTTP/1.1 421");
        assertThat(raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + broker.broker.actualPort() + "\r\n\r\n"))
                .startsWith("HTTP/1.1 421");
        assertThat(raw(port, "GET / HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200");
        assertThat(raw(port, "TRACE / HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n")).startsWith("HTTP/1.1 405");
    }

    @Test
    void a_deleted_preview_is_a_json_404_on_its_origin_and_the_origin_then_closes() {
        String url = urlOf("public");
        int port = portOf(url);
        broker.gateway.deletePreview(sandbox, PreviewName.of("public"));

        HttpResponse<String> r = broker.send(broker.request(url + "/x").GET());

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("not found");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listening(port)) {
            assertThat(System.nanoTime() - deadline).as("port %d closes", port).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void a_websocket_from_the_preview_own_page_is_tunnelled_and_one_from_elsewhere_is_403() throws Exception {
        String url = urlOf("private");
        int port = portOf(url);
        WebSocketClient client = broker.vertx.createWebSocketClient();
        try {
            WebSocketConnectOptions own = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/hmr").addHeader("Origin", url).addHeader("Cookie", "bl_preview_token_" + port + "=" + token);
            var ws = client.connect(own).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            var answer = new java.util.concurrent.CompletableFuture<String>();
            ws.textMessageHandler(answer::complete);
            ws.writeTextMessage("ping");
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("echo:ping");
            ws.close();

            WebSocketConnectOptions foreign = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/hmr").addHeader("Origin", "https://evil.example")
                    .addHeader("Cookie", "bl_preview_token_" + port + "=" + token);
            assertThatThrownBy(() -> client.connect(foreign).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).hasMessageContaining("403");
        } finally {
            client.close();
        }
    }

    @Test
    void closing_the_broker_closes_every_preview_origin() {
        int port = portOf(urlOf("public"));
        assertThat(listening(port)).isTrue();

        broker.broker.close();

        assertThat(listening(port)).isFalse();
    }

    @Test
    void behind_a_public_url_previews_keep_the_path_form() {
        try (BrokerFixture proxied = new BrokerFixture(s -> s.toBuilder().previewPorts(PreviewPorts.auto())
                .publicUrl(URI.create("https://sandgate.example.test")).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            assertThat(proxied.broker.urlScheme().previewUrl(SandboxName.of("web"), PreviewName.of("app"),
                    Port.of(3000))).isEqualTo("https://sandgate.example.test/p/web/app");
        }
    }

    @Test
    void with_a_range_previews_take_its_free_ports_and_fall_back_to_the_path_form_when_it_is_used_up()
            throws IOException {
        int only;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            only = probe.getLocalPort();
        }
        try (BrokerFixture ranged = new BrokerFixture(s -> s.toBuilder().previewPorts(PreviewPorts.range(only, only)).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            SandboxName web = ranged.sandbox("web");
            ranged.gateway.createPreview(web, PreviewSpec.publicPort(PreviewName.of("first"),
                    Port.of(app.actualPort())));
            ranged.gateway.createPreview(web, PreviewSpec.publicPort(PreviewName.of("second"),
                    Port.of(app.actualPort())));

            String first = BrokerFixture.json(ranged.get("/v0/sandboxes/web/previews/first"))
                    .getJsonObject("spec").getString("url");
            String second = BrokerFixture.json(ranged.get("/v0/sandboxes/web/previews/second"))
                    .getJsonObject("spec").getString("url");

            assertThat(first).isEqualTo("http://127.0.0.1:" + only);
            assertThat(second).isEqualTo(ranged.base + "/p/web/second");
            assertThat(ranged.send(ranged.request(first + "/a").GET()).body()).isEqualTo("app:/a");
            assertThat(ranged.send(ranged.request(second + "/b").GET()).body()).isEqualTo("app:/b");
        }
    }

    @Test
    void the_setting_reads_path_auto_and_ranges_and_refuses_the_rest() {
        assertThat(PreviewPorts.parse("path")).isEqualTo(PreviewPorts.path());
        assertThat(PreviewPorts.parse(" AUTO ")).isEqualTo(PreviewPorts.auto());
        assertThat(PreviewPorts.parse("20000-20999")).isEqualTo(PreviewPorts.range(20000, 20999));
        assertThat(PreviewPorts.range(20000, 20999)).hasToString("20000-20999");
        for (String bad : List.of("", "ports", "0-10", "20-10", "1-70000", "-5", "5-")) {
            assertThatThrownBy(() -> PreviewPorts.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("preview");
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The whole answer of a request sent with {@code Connection: close}. */
    private static String rawAnswer(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
