package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every face answers a path it has no route for with 404, and a method its route does not take with 405, as JSON in
 * its own wire shape: the control plane's {@code {"code","error","message"}} under {@code /v0} and for paths no face
 * owns, the sandbox API's {@code {"error","code","reason"}} at sandbox URLs, session URLs and previews. A path the
 * router would read as another one (a dot segment, a broken escape) is refused whole before routing.
 */
class RouteTableTest {
    private BrokerFixture broker;
    private SandboxName sandbox;
    private PreviewToken session;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        sandbox = broker.sandbox("routes");
        session = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> withToken(String url, String method) {
        return broker.send(broker.request(url).header("X-Blaxel-Preview-Token", session.value().value())
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> withKey(String url, String method) {
        return broker.send(broker.withKey(url).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static void controlShaped(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonObject body = json(r);
        assertThat(body.getInteger("code")).isEqualTo(status);
        assertThat(body.getString("error")).isEqualTo(status == 404 ? "NOT_FOUND" : "METHOD_NOT_ALLOWED");
        assertThat(body.getString("message")).isNotBlank();
        assertThat(body.containsKey("reason")).isFalse();
    }

    private static void sandboxApiShaped(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonObject body = json(r);
        assertThat(body.getInteger("code")).isEqualTo(status);
        assertThat(body.getString("reason")).isEqualTo(status == 404 ? "NOT_FOUND" : "METHOD_NOT_ALLOWED");
        assertThat(body.getString("error")).isNotBlank();
    }

    @Test
    void an_unknown_path_under_the_control_plane_or_no_face_is_a_control_plane_404() {
        for (String path : List.of("/v0", "/v0/", "/v0/nothing", "/v0/sandboxes/routes/nothing",
                "/v0/sandboxes/routes/previews/p/tokens/t/more", "/nothing", "/")) {
            controlShaped(withKey(broker.base + path, "GET"), 404);
        }
    }

    @Test
    void a_method_a_control_plane_route_does_not_take_is_a_control_plane_405() {
        for (String path : List.of("/v0/sandboxes", "/v0/sandboxes/routes", "/v0/sandboxes/routes/previews",
                "/v0/sandboxes/routes/previews/p", "/v0/sandboxes/routes/previews/p/tokens")) {
            controlShaped(withKey(broker.base + path, "PATCH"), 405);
        }
    }

    @Test
    void an_unknown_path_under_a_sandbox_url_or_a_session_url_is_a_sandbox_api_404() {
        for (String path : List.of("", "/", "/nothing", "/process/x/nothing", "/watch", "/health/more")) {
            sandboxApiShaped(withKey(broker.sandboxUrl(sandbox) + path, "GET"), 404);
            sandboxApiShaped(withToken(broker.sessionUrl(sandbox, "session-1") + path, "GET"), 404);
        }
    }

    @Test
    void a_method_a_sandbox_api_route_does_not_take_is_a_sandbox_api_405() {
        for (String path : List.of("/health", "/process", "/process/x", "/process/x/kill", "/process/x/logs",
                "/process/x/logs/stream", "/process/x/stdin", "/filesystem/tmp", "/filesystem-find/tmp",
                "/filesystem-content-search/tmp", "/watch/filesystem/tmp")) {
            sandboxApiShaped(withKey(broker.sandboxUrl(sandbox) + path, "PATCH"), 405);
            sandboxApiShaped(withToken(broker.sessionUrl(sandbox, "session-1") + path, "PATCH"), 405);
        }
    }

    @Test
    void a_preview_that_does_not_exist_is_a_sandbox_api_404_on_its_path_form() {
        for (String path : List.of("/p/routes/nothing", "/p/routes/nothing/", "/p/routes/nothing/x/y")) {
            sandboxApiShaped(broker.send(broker.request(broker.base + path).GET()), 404);
        }
    }

    @Test
    void a_session_token_with_dot_segments_never_reaches_the_control_plane() {
        String answer = broker.raw("GET /s/routes/session-1/../../v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Blaxel-Preview-Token: " + session.value().value() + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400");
        JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(body.getString("reason")).isEqualTo("INVALID_REQUEST");
        assertThat(body.getString("error")).contains("'..'");
    }

    @Test
    void escaped_dot_segments_and_broken_escapes_are_refused_before_routing() {
        for (String path : List.of("/s/routes/session-1/filesystem/%2e%2e/%2E%2E/etc", "/v0/sandboxes/%2e",
                "/s/routes/session-1/process/%ZZ", "/v0/sandboxes/%4")) {
            String answer = broker.raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Blaxel-Preview-Token: " + session.value().value() + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 400").contains("INVALID_REQUEST");
        }
    }
}
