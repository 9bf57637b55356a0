package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session minted with origins (the {@code sandgate.origins} extension) answers a browser page of one of them with
 * that origin in {@code Access-Control-Allow-Origin} (and {@code Vary: Origin}), whatever static value its
 * {@code responseHeaders} give, and refuses a page of any other with 403 {@code ORIGIN_NOT_ALLOWED} and no origin to
 * read it by; a call without {@code Origin} (a backend's) is judged by its token alone.
 */
class SessionOriginsTest {
    private static final String APP = "https://app.example";
    private static final String DEV = "http://localhost:5173";
    private static final String ATTACKER = "https://evil.example";

    private BrokerFixture broker;
    private SandboxName box;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        box = broker.sandbox("box");
        broker.send(broker.withKey(broker.sandboxUrl(box) + "/filesystem/%2Fa.txt")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"content\":\"the file\"}")));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    /** Mints a session whose static CORS header is {@code *}, bound to {@code origins} (none: any). */
    private String mint(String name, List<String> origins) {
        JsonObject body = new JsonObject()
                .put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
                        .put("responseHeaders", new JsonObject().put("Access-Control-Allow-Origin", "*"))
                        .put("expires", BrokerFixture.T0.plusSeconds(3600).toString()));
        if (!origins.isEmpty()) {
            body.put("sandgate", new JsonObject().put("origins", new JsonArray(origins)));
        }
        HttpResponse<String> preview = broker.post("/v0/sandboxes/box/previews", body);
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        HttpResponse<String> token = broker.post("/v0/sandboxes/box/previews/" + name + "/tokens", new JsonObject()
                .put("spec", new JsonObject().put("expiresAt", BrokerFixture.T0.plusSeconds(3600).toString())));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return json(token).getJsonObject("spec").getString("token");
    }

    private HttpRequest.Builder from(String origin, String url, String token) {
        HttpRequest.Builder b = broker.request(url).header("X-Blaxel-Preview-Token", token);
        return origin == null ? b : b.header("Origin", origin);
    }

    private HttpResponse<String> read(String origin, String token) {
        return broker.send(from(origin, broker.sessionUrl(box, "session-1") + "/filesystem/%2Fa.txt", token).GET());
    }

    private HttpResponse<String> write(String origin, String token, String content) {
        return broker.send(from(origin, broker.sessionUrl(box, "session-1") + "/filesystem/%2Fa.txt", token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("content", content).encode())));
    }

    private HttpResponse<String> preflight(String origin) {
        return broker.send(broker.request(broker.sessionUrl(box, "session-1") + "/filesystem/%2Fa.txt")
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "x-blaxel-preview-token, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    private String fileAsTheBackendSeesIt() {
        return broker.send(broker.withKey(broker.sandboxUrl(box) + "/filesystem/%2Fa.txt").GET()).body();
    }

    private static void assertOriginRefused(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(json(r).getString("reason")).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(json(r).getString("error")).isNotBlank();
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void each_listed_origin_is_reflected_alone_in_place_of_the_static_wildcard() {
        String token = mint("session-1", List.of(APP, DEV));

        for (String origin : List.of(APP, DEV)) {
            HttpResponse<String> r = read(origin, token);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("the file");
            assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly(origin);
            assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
            assertThat(r.headers().firstValue("Vary")).hasValueSatisfying(v -> assertThat(v).contains("Origin"));
        }
    }

    @Test
    void a_token_copied_into_another_site_is_refused_from_that_origin() {
        String token = mint("session-1", List.of(APP));

        assertOriginRefused(read(ATTACKER, token));
        assertOriginRefused(write(ATTACKER, token, "defaced"));
        assertThat(fileAsTheBackendSeesIt()).contains("the file").doesNotContain("defaced");
    }

    @Test
    void another_site_cannot_even_pass_the_preflight_while_a_listed_origin_does() {
        mint("session-1", List.of(APP));

        assertOriginRefused(preflight(ATTACKER));
        HttpResponse<String> listed = preflight(APP);
        assertThat(listed.statusCode()).isEqualTo(204);
        assertThat(listed.headers().allValues("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(listed.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValueSatisfying(h -> assertThat(h).containsIgnoringCase("X-Blaxel-Preview-Token"));
        assertThat(listed.headers().firstValue("Vary")).hasValueSatisfying(v -> assertThat(v).contains("Origin"));
    }

    @Test
    void a_sandboxed_frame_with_an_opaque_null_origin_is_refused() {
        String token = mint("session-1", List.of(APP));

        assertOriginRefused(read("null", token));
        assertOriginRefused(preflight("null"));
    }

    @Test
    void a_lookalike_origin_on_another_port_or_scheme_is_refused() {
        String token = mint("session-1", List.of(APP));

        assertOriginRefused(read("https://app.example:8443", token));
        assertOriginRefused(read("http://app.example", token));
        assertOriginRefused(read("https://app.example.evil.example", token));
        assertThat(read("HTTPS://APP.EXAMPLE", token).statusCode()).as("origins compare ignoring case").isEqualTo(200);
    }

    @Test
    void a_backend_call_without_any_origin_is_judged_by_its_token_alone_and_gets_no_origin_to_share_with() {
        String token = mint("session-1", List.of(APP));

        HttpResponse<String> r = read(null, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("the file");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(write(null, token, "from the backend").statusCode()).isEqualTo(200);
    }

    @Test
    void a_caller_without_a_valid_token_learns_nothing_of_the_sessions_origins() {
        mint("session-1", List.of(APP));

        HttpResponse<String> r = read(ATTACKER, "not-the-token-0123456789abcdefghijklmnopq");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).getString("reason")).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void the_api_key_is_refused_from_another_site_on_a_session_url_bound_to_origins() {
        mint("session-1", List.of(APP));

        HttpResponse<String> r = broker.send(broker.withKey(broker.sessionUrl(box, "session-1")
                + "/filesystem/%2Fa.txt").header("Origin", ATTACKER).GET());
        assertOriginRefused(r);
    }

    @Test
    void a_session_without_origins_keeps_its_static_cors_header_for_every_origin() {
        String token = mint("session-1", List.of());

        HttpResponse<String> r = read(ATTACKER, token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }
}
