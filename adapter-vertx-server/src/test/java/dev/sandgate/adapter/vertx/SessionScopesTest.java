package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.array;
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
 * A session minted with scopes (the {@code sandgate} extension of the control plane's preview body) may do what they
 * allow and nothing else; the broker refuses the rest with 403 {@code SCOPE_MISSING} naming the scope, with the
 * session's CORS headers. A session minted without them keeps full access.
 */
class SessionScopesTest {
    private static final String ORIGIN = "https://app.example";

    private BrokerFixture broker;
    private SandboxName box;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        box = broker.sandbox("box");
        put(broker.sandboxUrl(box) + "/filesystem/%2Fapp", "{\"isDirectory\":true}", null);
        put(broker.sandboxUrl(box) + "/filesystem/%2Fapp%2Fa.txt", "{\"content\":\"app file\"}", null);
        put(broker.sandboxUrl(box) + "/filesystem/%2Fsecret.txt", "{\"content\":\"secret\"}", null);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    /** Mints a session over the control plane: its preview (with {@code sandgate}, if given) and a token. */
    private String mint(String name, JsonObject sandgate) {
        JsonObject body = new JsonObject()
                .put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
                        .put("responseHeaders", new JsonObject().put("Access-Control-Allow-Origin", ORIGIN))
                        .put("expires", BrokerFixture.T0.plusSeconds(3600).toString()));
        if (sandgate != null) {
            body.put("sandgate", sandgate);
        }
        HttpResponse<String> preview = broker.post("/v0/sandboxes/box/previews", body);
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        HttpResponse<String> token = broker.post("/v0/sandboxes/box/previews/" + name + "/tokens", new JsonObject()
                .put("spec", new JsonObject().put("expiresAt", BrokerFixture.T0.plusSeconds(3600).toString())));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return json(token).getJsonObject("spec").getString("token");
    }

    private static JsonObject scopes(List<String> operations, List<String> paths, List<Integer> ports) {
        JsonObject s = new JsonObject().put("operations", new JsonArray(operations));
        if (paths != null) {
            s.put("paths", new JsonArray(paths));
        }
        if (ports != null) {
            s.put("ports", new JsonArray(ports));
        }
        return new JsonObject().put("scopes", s);
    }

    private HttpRequest.Builder as(String url, String token) {
        HttpRequest.Builder b = broker.request(url).header("Origin", ORIGIN).header("Content-Type", "application/json");
        return token == null ? b.header("X-Blaxel-Authorization", "Bearer " + BrokerFixture.KEY)
                .header("X-Blaxel-Workspace", BrokerFixture.WS) : b.header("X-Blaxel-Preview-Token", token);
    }

    private HttpResponse<String> put(String url, String body, String token) {
        return broker.send(as(url, token).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> post(String url, String body, String token) {
        return broker.send(as(url, token).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(String url, String token) {
        return broker.send(as(url, token).GET());
    }

    private HttpResponse<String> delete(String url, String token) {
        return broker.send(as(url, token).DELETE());
    }

    private String session(String name) {
        return broker.sessionUrl(box, name);
    }

    private static void assertScopeMissing(HttpResponse<String> r, String scope) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        JsonObject body = json(r);
        assertThat(body.getString("reason")).isEqualTo("SCOPE_MISSING");
        assertThat(body.getString("scope")).isEqualTo(scope);
        assertThat(body.getString("error")).isNotBlank();
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
    }

    @Test
    void a_read_only_session_reads_but_cannot_write_delete_exec_or_watch() {
        String token = mint("session-1", scopes(List.of("fs:read"), null, null));
        String url = session("session-1");

        HttpResponse<String> read = get(url + "/filesystem/%2Fapp%2Fa.txt", token);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).contains("app file");

        assertScopeMissing(put(url + "/filesystem/%2Fapp%2Fa.txt", "{\"content\":\"defaced\"}", token), "fs:write");
        assertScopeMissing(delete(url + "/filesystem/%2Fapp%2Fa.txt", token), "fs:write");
        assertScopeMissing(post(url + "/process", "{\"command\":\"echo pwned\",\"waitForCompletion\":true}", token),
                "process:exec");
        assertScopeMissing(get(url + "/process", token), "process:read");
        assertScopeMissing(get(url + "/watch/filesystem/%2Fapp", token), "fs:watch");
        assertThat(get(broker.sandboxUrl(box) + "/filesystem/%2Fapp%2Fa.txt", null).body()).contains("app file");
    }

    @Test
    void a_malformed_exec_from_a_session_without_exec_is_refused_for_the_scope() {
        String token = mint("session-1", scopes(List.of("fs:read"), null, null));

        assertScopeMissing(post(session("session-1") + "/process", "{not json", token), "process:exec");
    }

    @Test
    void a_session_limited_to_a_prefix_cannot_read_outside_it_even_through_dot_dot_or_a_lookalike() {
        String token = mint("session-1", scopes(List.of("fs:read", "fs:write"), List.of("/app"), null));
        String url = session("session-1");

        assertThat(get(url + "/filesystem/%2Fapp%2Fa.txt", token).statusCode()).isEqualTo(200);
        assertThat(put(url + "/filesystem/%2Fapp%2Fb.txt", "{\"content\":\"mine\"}", token).statusCode())
                .isEqualTo(200);

        HttpResponse<String> outside = get(url + "/filesystem/%2Fsecret.txt", token);
        assertScopeMissing(outside, "fs:read");
        assertThat(json(outside).getString("path")).isEqualTo("/secret.txt");
        assertThat(outside.body()).doesNotContain("secret\"");
        assertScopeMissing(get(url + "/filesystem/%2F", token), "fs:read");
        assertScopeMissing(get(url + "/filesystem/%2Fapplication", token), "fs:read");
        assertScopeMissing(get(url + "/filesystem-find/%2F", token), "fs:read");
        assertScopeMissing(get(url + "/filesystem-content-search/%2F?query=secret", token), "fs:read");
        assertScopeMissing(put(url + "/filesystem/%2Fsecret.txt", "{\"content\":\"x\"}", token), "fs:write");
        // ".." never reaches a file: refused as malformed, or normalised before the prefix is checked
        HttpResponse<String> climb = get(url + "/filesystem/%2Fapp%2F..%2Fsecret.txt", token);
        assertThat(climb.statusCode()).isIn(400, 403);
        assertThat(climb.body()).doesNotContain("secret\"");
        HttpResponse<String> dots = get(url + "/filesystem/%2Fapp%2F.%2F%2F.%2Fa.txt", token);
        assertThat(dots.statusCode()).isEqualTo(200);
        HttpResponse<String> slashDots = get(url + "/filesystem/app/../secret.txt", token);
        assertThat(slashDots.statusCode()).isIn(400, 403, 404);
        assertThat(slashDots.body()).doesNotContain("secret\"");
    }

    @Test
    void a_write_tree_is_checked_at_its_destination_not_at_the_tree_path() {
        String token = mint("session-1", scopes(List.of("fs:write"), List.of("/tree"), null));
        String url = session("session-1");

        HttpResponse<String> escape = put(url + "/filesystem/tree/%2Fetc",
                "{\"files\":{\"passwd\":\"root::0:0\"}}", token);

        assertScopeMissing(escape, "fs:write");
        assertThat(json(escape).getString("path")).isEqualTo("/etc");
    }

    @Test
    void an_exec_must_run_in_an_allowed_working_dir_and_wait_on_allowed_ports() {
        String token = mint("session-1", scopes(List.of("process:exec", "process:read"), List.of("/app"),
                List.of(3000)));
        String url = session("session-1");

        HttpResponse<String> inApp = post(url + "/process",
                "{\"command\":\"echo ok\",\"workingDir\":\"/app\",\"waitForCompletion\":true}", token);
        assertThat(inApp.statusCode()).as(inApp.body()).isEqualTo(200);

        HttpResponse<String> atRoot = post(url + "/process", "{\"command\":\"echo ok\",\"waitForCompletion\":true}",
                token);
        assertScopeMissing(atRoot, "process:exec");
        assertThat(json(atRoot).getString("path")).isEqualTo("/");
        assertScopeMissing(post(url + "/process", "{\"command\":\"echo ok\",\"workingDir\":\"/app/../etc\"}", token),
                "process:exec");
        HttpResponse<String> port = post(url + "/process",
                "{\"command\":\"echo ok\",\"workingDir\":\"/app\",\"waitForPorts\":[5432]}", token);
        assertScopeMissing(port, "process:exec");
        assertThat(json(port).getInteger("port")).isEqualTo(5432);
    }

    @Test
    void a_process_read_session_lists_but_cannot_stop_or_kill() {
        HttpResponse<String> started = post(broker.sandboxUrl(box) + "/process",
                "{\"name\":\"web\",\"command\":\"sleep 600\"}", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        String token = mint("session-1", scopes(List.of("process:read", "process:others"), null, null));
        String url = session("session-1");

        assertThat(get(url + "/process", token).body()).contains("web");
        assertThat(get(url + "/process/web", token).statusCode()).isEqualTo(200);
        assertScopeMissing(delete(url + "/process/web/kill", token), "process:signal");
        assertScopeMissing(delete(url + "/process/web", token), "process:signal");
        assertScopeMissing(post(url + "/process/web/stdin", "x", token), "process:exec");
        assertThat(json(get(broker.sandboxUrl(box) + "/process/web", null)).getString("status")).isEqualTo("running");
    }

    @Test
    void a_scoped_session_without_process_others_does_not_see_what_the_api_key_started() {
        HttpResponse<String> started = post(broker.sandboxUrl(box) + "/process",
                "{\"name\":\"web\",\"command\":\"sleep 600\"}", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        String token = mint("session-1", scopes(List.of("process:read", "process:signal"), null, null));
        String url = session("session-1");

        assertThat(array(get(url + "/process", token))).isEmpty();
        HttpResponse<String> kill = delete(url + "/process/web/kill", token);
        assertThat(kill.statusCode()).isEqualTo(404);
        assertThat(kill.body()).isEqualTo(get(url + "/process/nothing-of-that-name", token).body());
        assertThat(kill.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
        assertThat(json(get(broker.sandboxUrl(box) + "/process/web", null)).getString("status")).isEqualTo("running");
    }

    @Test
    void a_session_minted_without_scopes_keeps_full_access() {
        String token = mint("session-1", null);
        String url = session("session-1");

        assertThat(put(url + "/filesystem/%2Fsecret.txt", "{\"content\":\"changed\"}", token).statusCode())
                .isEqualTo(200);
        assertThat(post(url + "/process", "{\"command\":\"echo ok\",\"waitForCompletion\":true}", token).statusCode())
                .isEqualTo(200);
        HttpResponse<String> preview = broker.get("/v0/sandboxes/box/previews/session-1");
        assertThat(json(preview).containsKey("sandgate")).isFalse();
    }

    @Test
    void the_api_key_on_a_scoped_session_url_keeps_full_access() {
        mint("session-1", scopes(List.of("fs:read"), List.of("/app"), null));

        assertThat(put(session("session-1") + "/filesystem/%2Fsecret.txt", "{\"content\":\"x\"}", null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void the_scopes_are_answered_on_the_preview_and_unknown_scopes_are_a_400() {
        mint("session-1", scopes(List.of("fs:write", "fs:read"), List.of("/app"), List.of(3000)));

        JsonObject preview = json(broker.get("/v0/sandboxes/box/previews/session-1"));
        assertThat(preview.getJsonObject("sandgate").getJsonObject("scopes").getMap())
                .containsEntry("operations", List.of("fs:read", "fs:write"))
                .containsEntry("paths", List.of("/app")).containsEntry("ports", List.of(3000));

        JsonObject bad = new JsonObject().put("metadata", new JsonObject().put("name", "session-2"))
                .put("spec", new JsonObject().put("port", 443))
                .put("sandgate", scopes(List.of("fs:everything"), null, null));
        HttpResponse<String> r = broker.post("/v0/sandboxes/box/previews", bad);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).getString("message")).contains("fs:everything");
    }

    @Test
    void a_session_scoped_to_port_3000_cannot_fetch_another_port_of_its_sandbox() {
        String token = mint("session-1", scopes(List.of("process:read"), null, List.of(3000)));
        String url = session("session-1");

        HttpResponse<String> other = get(url + "/port/6379/", token);
        assertScopeMissing(other, "process:read");
        assertThat(json(other).getInteger("port")).isEqualTo(6379);
        assertScopeMissing(post(url + "/port/5432/query", "{}", token), "process:read");
        // its own port passes the scope check (this gateway then has no network of its own to reach it in: 404)
        HttpResponse<String> own = get(url + "/port/3000/", token);
        assertThat(own.statusCode()).as(own.body()).isNotEqualTo(403);
        assertThat(get(url + "/port/abc/", token).statusCode()).isEqualTo(400);
    }

    @Test
    void a_session_that_may_not_read_processes_cannot_fetch_a_port_of_its_sandbox() {
        String token = mint("session-1", scopes(List.of("fs:read", "process:exec"), null, List.of(3000)));

        assertScopeMissing(get(session("session-1") + "/port/3000/", token), "process:read");
    }

    @Test
    void a_session_with_no_scopes_at_all_may_ask_for_health_and_nothing_else() {
        String token = mint("session-1", scopes(List.of(), null, null));
        String url = session("session-1");

        HttpResponse<String> health = get(url + "/health", token);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);

        assertScopeMissing(get(url + "/process", token), "process:read");
        assertScopeMissing(post(url + "/process", "{\"command\":\"echo hi\"}", token), "process:exec");
        assertScopeMissing(delete(url + "/process/web", token), "process:signal");
        assertScopeMissing(get(url + "/filesystem/%2Fapp%2Fa.txt", token), "fs:read");
        assertScopeMissing(put(url + "/filesystem/%2Fapp%2Fb.txt", "{\"content\":\"x\"}", token), "fs:write");
        assertScopeMissing(get(url + "/watch/filesystem/%2Fapp", token), "fs:watch");
        assertScopeMissing(get(url + "/port/3000/", token), "process:read");
        // an unknown token is still refused: health needs a valid session, it is not public
        assertThat(get(url + "/health", "bxp_" + "A".repeat(43)).statusCode()).isEqualTo(401);
    }
}
