package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Application previews by host name under a preview domain ({@code <preview>-<sandbox>.localhost}), asserted with
 * raw requests carrying the Host a browser would send.
 */
class PreviewHostTest {
    private BrokerFixture broker;
    private HttpServer app;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private String token;
    private int port;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture(s -> s.toBuilder().previewDomain("localhost").previewPorts(PreviewPorts.auto()).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        port = broker.broker.actualPort();
        app = broker.vertx.createHttpServer()
                .requestHandler(req -> {
                    seen.add(req.uri() + " cookie=" + req.getHeader("Cookie"));
                    req.response().putHeader("Content-Type", "text/plain").end("app:" + req.path());
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Port appPort = Port.of(app.actualPort());
        SandboxName web = broker.sandbox("my-web");
        broker.gateway.createPreview(web, PreviewSpec.publicPort(PreviewName.of("public-app"), appPort));
        broker.gateway.createPreview(web, new PreviewSpec(PreviewName.of("private"), appPort, false,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")), HttpHeaders.NONE,
                Optional.empty()));
        token = broker.gateway.createToken(web, PreviewName.of("private"), TokenName.of("t"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
    }

    @AfterEach
    void stop() {
        app.close();
        broker.close();
    }

    private String get(String host, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void an_application_preview_url_is_its_own_host_name_on_the_broker_port() {
        String url = BrokerFixture.json(broker.get("/v0/sandboxes/my-web/previews/public-app"))
                .getJsonObject("spec").getString("url");

        assertThat(url).isEqualTo("http://public-app-my-web.localhost:" + port);
    }

    @Test
    void the_host_name_routes_to_the_preview_and_the_whole_path_is_the_application_s() throws IOException {
        String answer = get("public-app-my-web.localhost:" + port, "/@vite/client?x=1");
        String upper = get("PUBLIC-APP-MY-WEB.LOCALHOST.:" + port, "/");

        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("app:/@vite/client");
        assertThat(seen.get(0)).startsWith("/@vite/client?x=1");
        assertThat(upper).startsWith("HTTP/1.1 200").endsWith("app:/");
    }

    @Test
    void a_private_preview_by_host_takes_the_query_token_into_a_host_only_cookie() throws IOException {
        String host = "private-my-web.localhost:" + port;

        String anonymous = get(host, "/x");
        String opened = get(host, "/x?bl_preview_token=" + token);
        String redirect = get(host, "/x?bl_preview_token=" + token,
                "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document");
        String withCookie = get(host, "/x", "Cookie: bl_preview_token=" + token + "; theirs=1");

        assertThat(anonymous).startsWith("HTTP/1.1 401")
                .containsIgnoringCase("access-control-allow-origin: https://app.example");
        assertThat(opened).startsWith("HTTP/1.1 200").endsWith("app:/x")
                .containsIgnoringCase("set-cookie: bl_preview_token=" + token + "; Path=/;")
                .containsIgnoringCase("referrer-policy: no-referrer");
        assertThat(redirect).startsWith("HTTP/1.1 302").containsIgnoringCase("location: /x\r\n")
                .containsIgnoringCase("set-cookie: bl_preview_token=" + token + "; Path=/;");
        assertThat(withCookie).startsWith("HTTP/1.1 200").endsWith("app:/x");
        assertThat(seen.get(seen.size() - 1)).endsWith("cookie=theirs=1");
    }

    @Test
    void behind_a_reverse_proxy_with_a_public_url_application_previews_keep_their_host_names() throws Exception {
        try (BrokerFixture proxied = new BrokerFixture(s -> s.toBuilder().publicUrl(java.net.URI.create("https://sandgate.example"))
                .previewDomain("previews.example").previewPorts(PreviewPorts.auto()).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            SandboxName web = proxied.sandbox("my-web");
            proxied.gateway.createPreview(web, new PreviewSpec(PreviewName.of("private"), Port.of(app.actualPort()),
                    false, HttpHeaders.NONE, HttpHeaders.NONE, Optional.empty()));
            String value = proxied.gateway.createToken(web, PreviewName.of("private"), TokenName.of("t"),
                    BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
            String url = proxied.broker.urlScheme().previewUrl(web, PreviewName.of("private"), Port.of(app.actualPort()));

            // what the proxy in front forwards: the browser's Host, on the broker's own port
            port = proxied.broker.actualPort();
            String answer = get("private-my-web.previews.example", "/x?bl_preview_token=" + value);

            assertThat(url).isEqualTo("https://private-my-web.previews.example");
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("app:/x")
                    .containsIgnoringCase("set-cookie: bl_preview_token=" + value + "; Path=/;")
                    .contains("Secure").contains("Partitioned");
        }
    }

    @Test
    void unknown_labels_other_ports_and_foreign_hosts_are_refused() throws IOException {
        assertThat(get("nothing-here.localhost:" + port, "/")).startsWith("HTTP/1.1 404");
        assertThat(get("public-app-my-web.localhost:1", "/")).startsWith("HTTP/1.1 421");
        assertThat(get("public-app-my-web.evil.example:" + port, "/")).startsWith("HTTP/1.1 421");
        assertThat(get("a.b.localhost:" + port, "/")).startsWith("HTTP/1.1 421");
        assertThat(seen).isEmpty();
        // the broker's own names still reach the API
        assertThat(get("127.0.0.1:" + port, "/v0/sandboxes")).startsWith("HTTP/1.1 401");
    }

    @Test
    void a_deleted_preview_is_404_by_its_host_name_and_one_made_again_is_served() throws IOException {
        String host = "public-app-my-web.localhost:" + port;
        assertThat(get(host, "/before")).startsWith("HTTP/1.1 200");

        broker.gateway.deletePreview(SandboxName.of("my-web"), PreviewName.of("public-app"));
        String gone = get(host, "/gone");
        broker.gateway.createPreview(SandboxName.of("my-web"), PreviewSpec.publicPort(PreviewName.of("public-app"),
                Port.of(app.actualPort())));
        String again = get(host, "/again");

        assertThat(gone).startsWith("HTTP/1.1 404");
        assertThat(again).startsWith("HTTP/1.1 200").endsWith("app:/again");
    }

    @Test
    void a_label_longer_than_a_dns_label_keeps_the_port_form() {
        SandboxName longName = broker.sandbox("s".repeat(40));
        broker.gateway.createPreview(longName, PreviewSpec.publicPort(PreviewName.of("p".repeat(30)),
                Port.of(app.actualPort())));

        String url = BrokerFixture.json(broker.get("/v0/sandboxes/" + longName.value() + "/previews/" + "p".repeat(30)))
                .getJsonObject("spec").getString("url");

        assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/p/s+/p+");
    }

    @Test
    void the_preview_domain_setting_is_validated() {
        BrokerSettings defaults = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS);
        for (String bad : List.of("", "http://x", "x:80", "UPPER.example", "-x.example", "a..b", "x y")) {
            assertThatThrownBy(() -> defaults.toBuilder().previewDomain(bad).build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("previewDomain");
        }
        assertThat(defaults.toBuilder().previewDomain("preview.example.com").build().previewDomain()).contains("preview.example.com");
    }
}
