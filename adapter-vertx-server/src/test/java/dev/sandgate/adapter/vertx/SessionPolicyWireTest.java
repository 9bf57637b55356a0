package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code sandgate} extension of a preview body carries a session's whole policy: what a backend sends comes back
 * on create, get and list; each malformed member is a 400 naming it, and nothing is created then.
 */
class SessionPolicyWireTest {
    private BrokerFixture broker;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        broker.sandbox("box");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> mint(String name, JsonObject sandgate) {
        return broker.post("/v0/sandboxes/box/previews", new JsonObject()
                .put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
                        .put("expires", BrokerFixture.T0.plusSeconds(3600).toString()))
                .put("sandgate", sandgate));
    }

    @Test
    void every_member_sent_comes_back_on_create_get_and_list() {
        JsonObject sandgate = new JsonObject()
                .put("scopes", new JsonObject().put("operations", new JsonArray().add("fs:read"))
                        .put("paths", new JsonArray().add("/app")))
                .put("subject", "user-42")
                .put("origins", new JsonArray().add("https://app.example").add("http://localhost:5173"))
                .put("quotas", new JsonObject().put("requestsPerSecond", 20).put("concurrentExecs", 2)
                        .put("concurrentStreams", 4))
                .put("maxExpiresAt", BrokerFixture.T0.plusSeconds(8 * 3600).toString());

        HttpResponse<String> created = mint("session-1", sandgate);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created).getJsonObject("sandgate")).isEqualTo(sandgate);
        assertThat(json(broker.get("/v0/sandboxes/box/previews/session-1")).getJsonObject("sandgate"))
                .isEqualTo(sandgate);
        assertThat(new JsonArray(broker.get("/v0/sandboxes/box/previews").body()).getJsonObject(0)
                .getJsonObject("sandgate")).isEqualTo(sandgate);
    }

    @Test
    void a_subject_alone_leaves_full_scopes_and_writes_only_itself() {
        HttpResponse<String> created = mint("session-1", new JsonObject().put("subject", "user-7"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created).getJsonObject("sandgate")).isEqualTo(new JsonObject().put("subject", "user-7"));
    }

    @Test
    void each_malformed_member_is_a_400_naming_it_and_creates_nothing() {
        assertRefused(new JsonObject().put("subject", 42), "sandgate.subject");
        assertRefused(new JsonObject().put("subject", "a\nb"), "control characters");
        assertRefused(new JsonObject().put("origins", "https://app.example"), "sandgate.origins must be an array");
        assertRefused(new JsonObject().put("origins", new JsonArray().add("https://app.example/page")),
                "scheme://host[:port]");
        assertRefused(new JsonObject().put("quotas", new JsonObject().put("concurrentExecs", 0)),
                "sandgate.quotas.concurrentExecs");
        assertRefused(new JsonObject().put("quotas", new JsonObject().put("requestsPerSecond", 1.5)),
                "sandgate.quotas.requestsPerSecond");
        assertRefused(new JsonObject().put("maxExpiresAt", "tomorrow"), "sandgate.maxExpiresAt");
        assertRefused(new JsonObject().put("maxExpiresAt", BrokerFixture.T0.plusSeconds(60).toString()),
                "maxExpiresAt");
        assertRefused(new JsonObject().put("scopes", new JsonObject().put("operations", new JsonArray().add("x"))),
                "unknown scope");

        assertThat(new JsonArray(broker.get("/v0/sandboxes/box/previews").body())).isEmpty();
    }

    private void assertRefused(JsonObject sandgate, String message) {
        HttpResponse<String> r = mint("session-1", sandgate);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).getString("message")).contains(message);
    }
}
