package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditRetention;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.contract.InMemoryAuditLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every use of a session lands in its sandbox's audit trail, refusals included, and only the API-key holder reads it
 * back ({@code GET /v0/sandboxes/{name}/audit}, Sandgate's own extension), with filters and a cursor. No token, key or
 * query string is ever in an entry.
 */
class AuditTrailTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    /** The broker's clock stands days before the wall clock: a retention of a century keeps its entries. */
    private final InMemoryAuditLog log = new InMemoryAuditLog(new AuditRetention(Duration.ofDays(36_500), 1000),
            java.time.Clock.systemUTC());
    private BrokerFixture broker;
    private SandboxName box;

    @BeforeEach
    void start() {
        broker = new BrokerFixture(Auditing.to(log));
        box = broker.sandbox("box");
        put(broker.sandboxUrl(box) + "/filesystem/%2Fapp%2Fa.txt", "{\"content\":\"app file\"}", null);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private String mint(String name, JsonObject sandgate) {
        JsonObject body = new JsonObject()
                .put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
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

    private HttpRequest.Builder as(String url, String token) {
        HttpRequest.Builder b = broker.request(url).header("Content-Type", "application/json");
        return token == null ? b.header("X-Blaxel-Authorization", "Bearer " + BrokerFixture.KEY)
                .header("X-Blaxel-Workspace", BrokerFixture.WS) : b.header("X-Blaxel-Preview-Token", token);
    }

    private HttpResponse<String> put(String url, String body, String token) {
        return broker.send(as(url, token).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(String url, String token) {
        return broker.send(as(url, token).GET());
    }

    private JsonObject audit(String query) {
        HttpResponse<String> r = broker.get("/v0/sandboxes/box/audit" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private List<JsonObject> awaitEntries(String query, int count) {
        List<JsonObject> out = new ArrayList<>();
        Eventually.await(count + " audit entries", PATIENCE, () -> {
            out.clear();
            JsonArray entries = audit(query).getJsonArray("entries");
            entries.forEach(e -> out.add((JsonObject) e));
            return out.size() >= count;
        });
        return out;
    }

    @Test
    void a_session_use_is_recorded_with_its_session_subject_operation_path_result_and_client() {
        String token = mint("session-1", new JsonObject().put("subject", "user-42"));
        assertThat(get(broker.sessionUrl(box, "session-1") + "/filesystem/%2Fapp%2Fa.txt", token).statusCode())
                .isEqualTo(200);

        JsonObject entry = awaitEntries("", 1).get(0);
        assertThat(entry.getString("session")).isEqualTo("session-1");
        assertThat(entry.getString("subject")).isEqualTo("user-42");
        assertThat(entry.getString("sandbox")).isEqualTo("box");
        assertThat(entry.getString("credential")).isEqualTo("token");
        assertThat(entry.getString("operation")).isEqualTo("fs.read");
        assertThat(entry.getString("target")).isEqualTo("/app/a.txt");
        assertThat(entry.getInteger("status")).isEqualTo(200);
        assertThat(entry.containsKey("code")).isFalse();
        assertThat(entry.getString("client")).isEqualTo("127.0.0.1");
        assertThat(entry.getString("id")).isNotBlank();
        assertThat(entry.getString("time")).isNotBlank();
    }

    @Test
    void a_refusal_is_recorded_with_its_status_and_machine_code() {
        String token = mint("session-1", new JsonObject().put("scopes",
                new JsonObject().put("operations", new JsonArray(List.of("fs:read")))));
        HttpResponse<String> refused = put(broker.sessionUrl(box, "session-1") + "/filesystem/%2Fapp%2Fa.txt",
                "{\"content\":\"defaced\"}", token);
        assertThat(refused.statusCode()).isEqualTo(403);
        HttpResponse<String> badToken = get(broker.sessionUrl(box, "session-1") + "/process",
                "not-the-token-0123456789abcdefghij");
        assertThat(badToken.statusCode()).isEqualTo(401);

        List<JsonObject> entries = awaitEntries("", 2);
        assertThat(entries.get(0).getString("operation")).isEqualTo("fs.write");
        assertThat(entries.get(0).getInteger("status")).isEqualTo(403);
        assertThat(entries.get(0).getString("code")).isEqualTo("SCOPE_MISSING");
        assertThat(entries.get(1).getString("operation")).isEqualTo("process.list");
        assertThat(entries.get(1).getInteger("status")).isEqualTo(401);
        assertThat(entries.get(1).getString("code")).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void process_operations_name_the_process() {
        String token = mint("session-1", null);
        String url = broker.sessionUrl(box, "session-1");
        HttpResponse<String> exec = broker.send(as(url + "/process", token).POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"web\",\"command\":\"echo hi\",\"waitForCompletion\":true}")));
        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
        get(url + "/process/web/logs", token);

        List<JsonObject> entries = awaitEntries("", 2);
        assertThat(entries).extracting(e -> e.getString("operation")).containsExactly("process.exec", "process.logs");
        assertThat(entries).extracting(e -> e.getString("target")).containsExactly("web", "web");
    }

    @Test
    void filters_and_a_cursor_page_through_the_trail() {
        String alice = mint("session-1", new JsonObject().put("subject", "alice"));
        String bob = mint("session-2", new JsonObject().put("subject", "bob"));
        for (int i = 0; i < 3; i++) {
            get(broker.sessionUrl(box, "session-1") + "/filesystem/%2Fapp%2Fa.txt", alice);
            get(broker.sessionUrl(box, "session-2") + "/process", bob);
        }
        awaitEntries("", 6);

        assertThat(audit("?subject=alice").getJsonArray("entries")).hasSize(3);
        assertThat(audit("?session=session-2&operation=process.list").getJsonArray("entries")).hasSize(3);
        assertThat(audit("?operation=fs.read&subject=bob").getJsonArray("entries")).isEmpty();

        JsonObject first = audit("?limit=4");
        assertThat(first.getJsonArray("entries")).hasSize(4);
        String cursor = first.getString("nextCursor");
        assertThat(cursor).isNotBlank();
        JsonObject second = audit("?limit=4&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        assertThat(second.getJsonArray("entries")).hasSize(2);
        assertThat(second.getValue("nextCursor")).isNull();
        List<String> ids = new ArrayList<>();
        first.getJsonArray("entries").forEach(e -> ids.add(((JsonObject) e).getString("id")));
        second.getJsonArray("entries").forEach(e -> ids.add(((JsonObject) e).getString("id")));
        assertThat(ids).doesNotHaveDuplicates().hasSize(6);
        assertThat(audit("?since=" + BrokerFixture.T0.minusSeconds(1)).getJsonArray("entries")).isNotNull();
    }

    @Test
    void bad_query_parameters_are_a_400_saying_what_was_wrong() {
        for (String query : List.of("?limit=0", "?limit=many", "?since=yesterday", "?session=Not_A_Name",
                "?cursor=nonsense", "?colour=blue", "?limit=1&limit=2")) {
            HttpResponse<String> r = broker.get("/v0/sandboxes/box/audit" + query);
            assertThat(r.statusCode()).as(query + " " + r.body()).isEqualTo(400);
            assertThat(json(r).getString("message")).as(query).isNotBlank();
        }
    }

    @Test
    void a_session_token_cannot_read_the_audit_trail() {
        String token = mint("session-1", new JsonObject().put("subject", "user-42"));
        get(broker.sessionUrl(box, "session-1") + "/process", token);
        awaitEntries("", 1);

        HttpResponse<String> asHeader = broker.send(broker.request(broker.base + "/v0/sandboxes/box/audit")
                .header("X-Blaxel-Preview-Token", token).GET());
        HttpResponse<String> asBearer = broker.send(broker.request(broker.base + "/v0/sandboxes/box/audit")
                .header("X-Blaxel-Authorization", "Bearer " + token).header("X-Blaxel-Workspace", BrokerFixture.WS)
                .GET());
        HttpResponse<String> inQuery = broker.send(broker.request(broker.base + "/v0/sandboxes/box/audit?"
                + "bl_preview_token=" + token).GET());
        HttpResponse<String> underSession = get(broker.sessionUrl(box, "session-1") + "/audit", token);
        for (HttpResponse<String> r : List.of(asHeader, asBearer, inQuery)) {
            assertThat(r.statusCode()).as(r.body()).isIn(401, 403);
            assertThat(r.body()).doesNotContain("user-42").doesNotContain("session-1");
        }
        assertThat(underSession.statusCode()).isEqualTo(404);
        assertThat(underSession.body()).doesNotContain("user-42");
    }

    @Test
    void no_token_key_or_query_string_is_ever_in_the_stored_trail() {
        String token = mint("session-1", null);
        String url = broker.sessionUrl(box, "session-1");
        get(url + "/filesystem/%2Fapp%2Fa.txt", token);
        get(url + "/filesystem/%2Fapp%2Fa.txt?bl_preview_token=" + token + "&secret=hunter2", null);
        broker.send(broker.request(url + "/process?bl_preview_token=" + token).GET());
        broker.send(as(url + "/process", token).header("Cookie", "bl_preview_token=" + token).GET());
        awaitEntries("", 4);

        String stored = log.all().toString() + AuditWire.entries(log.all()).encode();
        assertThat(stored).doesNotContain(token).doesNotContain(BrokerFixture.KEY).doesNotContain("hunter2")
                .doesNotContain("bl_preview_token");
        assertThat(log.all()).extracting(AuditEntry::credential).contains("token", "api-key");
    }

    @Test
    void the_control_plane_and_a_sandbox_url_are_not_session_uses() {
        get(broker.sandboxUrl(box) + "/process", null);
        broker.get("/v0/sandboxes/box");
        String token = mint("session-1", null);
        get(broker.sessionUrl(box, "session-1") + "/process", token);
        awaitEntries("", 1);
        assertThat(log.all()).hasSize(1).first().extracting(AuditEntry::session)
                .hasToString("session-1");
        assertThat(log.all().get(0).target()).isEqualTo(Optional.empty());
    }
}
