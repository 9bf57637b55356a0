package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Preview configuration refused when it is accepted, never at response time: bad ports and header injection
 * through {@code responseHeaders}; and the CORS pair browsers refuse ({@code *} with credentials) never sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreviewConfigAttackTest {
    private BrokerFixture broker;
    private SandboxName sandbox;

    @BeforeAll
    void start() {
        broker = new BrokerFixture();
        sandbox = broker.sandbox("config");
        broker.post("/v0/sandboxes/config/previews", new JsonObject(
                "{\"metadata\":{\"name\":\"existing\"},\"spec\":{\"port\":3000,\"public\":false}}"));
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private static JsonObject preview(String name, Object port) {
        return new JsonObject().put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", port).put("public", true));
    }

    private static JsonObject withResponseHeaders(String name, Map<String, String> headers) {
        JsonObject body = preview(name, 3000);
        body.getJsonObject("spec").put("responseHeaders", new JsonObject(Map.copyOf(headers)));
        return body;
    }

    private void assertRefusedAndNothingStored(HttpResponse<String> r, String what) {
        assertThat(r.statusCode()).as(what).isEqualTo(400);
        assertThat(json(r).getInteger("code")).as(what).isEqualTo(400);
        assertThat(json(r).getString("message")).as(what).isNotBlank();
    }

    @Test
    @DisplayName("preview ports 0, 65536, \"abc\", 8080.0, -1 and 2^32 are 400 and nothing is stored")
    void bad_ports_are_400() {
        List<Object> ports = List.of(0, 65536, "abc", 8080.0, -1, 4294967296L, 1e3, true);
        for (int i = 0; i < ports.size(); i++) {
            String name = "bad-port-" + i;
            HttpResponse<String> create = broker.post("/v0/sandboxes/config/previews", preview(name, ports.get(i)));
            HttpResponse<String> put = broker.put("/v0/sandboxes/config/previews/existing", preview("existing", ports.get(i)));
            assertRefusedAndNothingStored(create, "create port " + ports.get(i));
            assertRefusedAndNothingStored(put, "put port " + ports.get(i));
            assertThat(broker.gateway.findPreview(sandbox, PreviewName.of(name))).isEmpty();
        }
        assertThat(broker.gateway.findPreview(sandbox, PreviewName.of("existing")).orElseThrow().port().value())
                .isEqualTo(3000);
        assertThat(broker.post("/v0/sandboxes/config/previews", preview("good-port", 8080)).statusCode()).isEqualTo(200);
    }

    @Test
    void an_unknown_preview_is_404_on_the_control_plane_and_on_the_proxy() {
        HttpResponse<String> get = broker.get("/v0/sandboxes/config/previews/nothing-here");
        HttpResponse<String> tokens = broker.get("/v0/sandboxes/config/previews/nothing-here/tokens");
        HttpResponse<String> proxy = broker.send(broker.request(broker.base + "/p/config/nothing-here/").GET());
        HttpResponse<String> otherSandbox = broker.get("/v0/sandboxes/nobody/previews/existing");

        for (HttpResponse<String> r : List.of(get, tokens, proxy, otherSandbox)) {
            assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(404);
        }
    }

    @Test
    @DisplayName("responseHeaders with CR, LF or NUL in a value, a space or colon in a name, or framing headers: 400")
    void header_injection_through_response_headers_is_refused_at_create_time() {
        List<Map<String, String>> bad = List.of(
                Map.of("X-Evil", "a\r\nSet-Cookie: session=stolen"),
                Map.of("X-Evil", "a\nb"),
                Map.of("X-Evil", "a\rb"),
                Map.of("X-Evil", "a\u0000b"),
                Map.of("X Evil", "a"),
                Map.of("X-Evil:", "a"),
                Map.of("X:Evil", "a"),
                Map.of("", "a"),
                Map.of("Content-Length", "0"),
                Map.of("Transfer-Encoding", "chunked"),
                Map.of("set-cookie", "a=b"),
                Map.of("Connection", "close"),
                Map.of("Host", "evil.example"));
        for (int i = 0; i < bad.size(); i++) {
            String name = "bad-headers-" + i;
            HttpResponse<String> create = broker.post("/v0/sandboxes/config/previews", withResponseHeaders(name, bad.get(i)));
            HttpResponse<String> put = broker.put("/v0/sandboxes/config/previews/existing",
                    withResponseHeaders("existing", bad.get(i)));
            JsonObject asRequestHeaders = preview(name, 3000);
            asRequestHeaders.getJsonObject("spec").put("requestHeaders", new JsonObject(Map.copyOf(bad.get(i))));
            HttpResponse<String> request = broker.post("/v0/sandboxes/config/previews", asRequestHeaders);

            assertRefusedAndNothingStored(create, "create " + bad.get(i).keySet());
            assertRefusedAndNothingStored(put, "put " + bad.get(i).keySet());
            assertRefusedAndNothingStored(request, "requestHeaders " + bad.get(i).keySet());
            assertThat(broker.gateway.findPreview(sandbox, PreviewName.of(name))).isEmpty();
        }
        assertThat(broker.gateway.findPreview(sandbox, PreviewName.of("existing")).orElseThrow().spec()
                .responseHeaders().isEmpty()).isTrue();
    }

    // ---- CORS: never '*' together with credentials (case 22) ----

    private HttpResponse<String> preflight(String url, String origin) {
        return broker.send(broker.request(url).header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void a_wildcard_origin_never_comes_with_allow_credentials_on_a_preflight_or_an_answer() {
        broker.session(sandbox, "wild", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
        broker.session(sandbox, "wild-configured", BrokerFixture.T0.plus(Duration.ofHours(1)),
                Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"));

        for (String session : List.of("wild", "wild-configured")) {
            String url = broker.sessionUrl(sandbox, session) + "/process";
            HttpResponse<String> pre = preflight(url, "https://evil.example");
            HttpResponse<String> refused = broker.send(broker.request(url).header("Origin", "https://evil.example").GET());
            HttpResponse<String> answered = broker.send(broker.withKey(url).header("Origin", "https://evil.example").GET());

            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(answered.statusCode()).isEqualTo(200);
            for (HttpResponse<String> r : List.of(pre, refused, answered)) {
                assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(session).hasValue("*");
                assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).as(session).isEmpty();
                assertThat(r.headers().allValues("Vary")).as(session).anySatisfy(v -> assertThat(v).contains("Origin"));
            }
        }
        HttpResponse<String> proxyPreflight = preflight(broker.base + "/p/config/existing/x", "https://evil.example");
        assertThat(proxyPreflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(proxyPreflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void an_exact_configured_origin_keeps_allow_credentials_and_is_never_reflected() {
        broker.session(sandbox, "exact", BrokerFixture.T0.plus(Duration.ofHours(1)),
                Map.of("Access-Control-Allow-Origin", "https://app.example"));
        String url = broker.sessionUrl(sandbox, "exact") + "/process";

        HttpResponse<String> pre = preflight(url, "https://app.example");
        HttpResponse<String> answered = broker.send(broker.withKey(url).header("Origin", "https://app.example").GET());
        HttpResponse<String> evil = broker.send(broker.withKey(url).header("Origin", "https://app.example.evil.com").GET());
        HttpResponse<String> nullOrigin = broker.send(broker.withKey(url).header("Origin", "null").GET());

        for (HttpResponse<String> r : List.of(pre, answered)) {
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
            assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
            assertThat(r.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
        }
        for (HttpResponse<String> r : List.of(evil, nullOrigin)) {
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
            assertThat(r.headers().allValues("Access-Control-Allow-Origin")).doesNotContain("null",
                    "https://app.example.evil.com");
        }
    }
}
