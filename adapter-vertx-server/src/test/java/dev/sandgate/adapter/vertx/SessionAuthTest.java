package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who may call what: the API key on the control plane and sandbox URLs, a session token on its own session URL only. */
class SessionAuthTest {
    private BrokerFixture broker;
    private SandboxName a;
    private SandboxName b;
    private PreviewToken tokenA;
    private PreviewToken tokenB;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        a = broker.sandbox("sandbox-a");
        b = broker.sandbox("sandbox-b");
        tokenA = broker.session(a, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)),
                Map.of("Access-Control-Allow-Origin", "https://app.example"));
        tokenB = broker.session(b, "session-2", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> withToken(String url, String token) {
        return broker.send(broker.request(url).header("X-Blaxel-Preview-Token", token).GET());
    }

    @Test
    void control_plane_refuses_no_key_a_wrong_key_and_another_workspace_with_the_same_401() {
        String url = broker.base + "/v0/sandboxes";
        HttpResponse<String> none = broker.send(broker.request(url).GET());
        HttpResponse<String> wrong = broker.send(broker.request(url).header("X-Blaxel-Authorization", "Bearer nope-nope-nope-nope")
                .header("X-Blaxel-Workspace", BrokerFixture.WS).GET());
        HttpResponse<String> otherWs = broker.send(broker.request(url)
                .header("X-Blaxel-Authorization", "Bearer " + BrokerFixture.KEY).header("X-Blaxel-Workspace", "other").GET());
        HttpResponse<String> sessionToken = withToken(url, tokenA.value().value());

        for (HttpResponse<String> r : List.of(none, wrong, otherWs, sessionToken)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(json(r).getMap()).containsEntry("code", 401).containsEntry("error", "UNAUTHORIZED");
            assertThat(r.body()).isEqualTo(none.body());
        }
    }

    @Test
    void the_authorization_header_is_accepted_too() {
        HttpResponse<String> r = broker.send(broker.request(broker.base + "/v0/sandboxes")
                .header("Authorization", "Bearer " + BrokerFixture.KEY).header("X-Blaxel-Workspace", BrokerFixture.WS).GET());

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void a_session_token_opens_its_own_session_url_and_nothing_else() {
        String token = tokenA.value().value();

        HttpResponse<String> own = withToken(broker.sessionUrl(a, "session-1") + "/process", token);
        HttpResponse<String> otherSandbox = withToken(broker.sessionUrl(b, "session-2") + "/process", token);
        HttpResponse<String> wrongPair = withToken(broker.base + "/s/sandbox-b/session-1/process", token);
        HttpResponse<String> keyRoute = withToken(broker.sandboxUrl(a) + "/process", token);
        HttpResponse<String> unknown = withToken(broker.sessionUrl(a, "session-1") + "/process", "x".repeat(43));
        HttpResponse<String> none = broker.send(broker.request(broker.sessionUrl(a, "session-1") + "/process").GET());
        HttpResponse<String> inQuery = broker.send(broker.request(broker.sessionUrl(a, "session-1")
                + "/process?bl_preview_token=" + token).GET());

        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).isEqualTo("[]");
        for (HttpResponse<String> r : List.of(otherSandbox, wrongPair, keyRoute, unknown, none, inQuery)) {
            assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(401);
        }
        for (HttpResponse<String> r : List.of(otherSandbox, wrongPair, unknown, none, inQuery)) {
            assertThat(r.body()).isEqualTo(none.body());
            assertThat(json(r).getString("error")).isNotBlank();
        }
        assertThat(tokenB).isNotNull();
    }

    @Test
    void the_api_key_opens_the_sandbox_url_and_the_session_url() {
        HttpResponse<String> sandboxRoute = broker.send(broker.withKey(broker.sandboxUrl(a) + "/process").GET());
        HttpResponse<String> sessionRoute = broker.send(broker.withKey(broker.sessionUrl(a, "session-1") + "/process").GET());
        HttpResponse<String> otherWorkspace = broker.send(broker.withKey(broker.base + "/other-ws/sandboxes/sandbox-a/process").GET());

        assertThat(sandboxRoute.statusCode()).isEqualTo(200);
        assertThat(sessionRoute.statusCode()).isEqualTo(200);
        assertThat(otherWorkspace.statusCode()).isEqualTo(404);
    }

    @Test
    void an_expired_token_is_refused_with_401() {
        String url = broker.sessionUrl(a, "session-1") + "/process";
        String token = tokenA.value().value();
        HttpResponse<String> before = withToken(url, token);

        broker.clock.advance(Duration.ofHours(1));
        HttpResponse<String> atExpiry = withToken(url, token);

        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(atExpiry.statusCode()).isEqualTo(401);
    }

    @Test
    void a_deleted_session_or_token_is_refused_with_401() {
        String token = tokenA.value().value();
        broker.gateway.deleteToken(a, PreviewName.of("session-1"), tokenA.name());
        HttpResponse<String> tokenDeleted = withToken(broker.sessionUrl(a, "session-1") + "/process", token);

        broker.gateway.deletePreview(b, PreviewName.of("session-2"));
        HttpResponse<String> sessionDeleted = withToken(broker.sessionUrl(b, "session-2") + "/process",
                tokenB.value().value());

        assertThat(tokenDeleted.statusCode()).isEqualTo(401);
        assertThat(sessionDeleted.statusCode()).isEqualTo(401);
        assertThat(sessionDeleted.body()).isEqualTo(tokenDeleted.body());
    }

    @Test
    void a_preflight_is_answered_without_authentication_with_the_preview_headers() {
        HttpResponse<String> r = broker.send(broker.request(broker.sessionUrl(a, "session-1") + "/process")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-blaxel-preview-token")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).hasValue(
                "Content-Type, Authorization, X-Blaxel-Preview-Token");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST, PUT, DELETE, OPTIONS, PATCH");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).hasValue("86400");
        assertThat(r.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
    }

    @Test
    void a_401_on_a_session_url_carries_the_cors_headers() {
        HttpResponse<String> r = broker.send(broker.request(broker.sessionUrl(a, "session-1") + "/process")
                .header("Origin", "https://app.example").GET());
        HttpResponse<String> defaults = broker.send(broker.request(broker.sessionUrl(b, "session-2") + "/process")
                .header("Origin", "https://app.example").GET());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(defaults.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(r.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
    }
}
