package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.array;
import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The control plane's bodies, exactly as the SDK reads them (protocol sections b.0-b.4). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlPlaneWireTest {
    private BrokerFixture broker;

    @BeforeAll
    void start() {
        broker = new BrokerFixture();
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private static JsonObject createBody(String name) {
        return new JsonObject("{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"purpose\":\"x\"}},"
                + "\"spec\":{\"runtime\":{\"image\":\"blaxel/base-image:latest\",\"memory\":4096,"
                + "\"ports\":[{\"name\":\"web\",\"target\":3000,\"protocol\":\"HTTP\"}],\"generation\":\"mk3\"}}}");
    }

    @Test
    void a_sandbox_is_found_by_its_external_id_and_the_list_filters_by_it() {
        broker.post("/v0/sandboxes", new JsonObject("{\"metadata\":{\"name\":\"ext-one\",\"externalId\":\"crm/1\","
                + "\"displayName\":\"Customer one\"}}"));
        broker.post("/v0/sandboxes", new JsonObject("{\"metadata\":{\"name\":\"ext-two\",\"externalId\":\"crm/2\"}}"));

        JsonObject found = json(broker.get("/v0/sandboxes/by-external-id/crm%2F1"));
        JsonArray filtered = array(broker.get("/v0/sandboxes?externalId=crm%2F2"));
        HttpResponse<String> missing = broker.get("/v0/sandboxes/by-external-id/nobody");

        assertThat(found.getJsonObject("metadata").getString("name")).isEqualTo("ext-one");
        assertThat(found.getJsonObject("metadata").getString("externalId")).isEqualTo("crm/1");
        assertThat(found.getJsonObject("metadata").getString("displayName")).isEqualTo("Customer one");
        assertThat(filtered).hasSize(1);
        assertThat(filtered.getJsonObject(0).getJsonObject("metadata").getString("name")).isEqualTo("ext-two");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).getString("error")).isEqualTo("NOT_FOUND");
        assertThat(broker.post("/v0/sandboxes", new JsonObject("{\"metadata\":{\"name\":\"ext-bad\","
                + "\"externalId\":\"a\\nb\"}}")).statusCode()).isEqualTo(400);
    }

    @Test
    void create_answers_the_sandbox_with_its_data_plane_url_and_status() {
        HttpResponse<String> r = broker.post("/v0/sandboxes", createBody("alpha"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonObject s = json(r);
        assertThat(s.getJsonObject("metadata").getString("name")).isEqualTo("alpha");
        assertThat(s.getJsonObject("metadata").getString("workspace")).isEqualTo(BrokerFixture.WS);
        assertThat(s.getJsonObject("metadata").getString("url")).isEqualTo(broker.base + "/test-ws/sandboxes/alpha");
        assertThat(s.getJsonObject("metadata").getJsonObject("labels").getString("purpose")).isEqualTo("x");
        assertThat(s.getString("status")).isEqualTo("DEPLOYED");
        JsonObject runtime = s.getJsonObject("spec").getJsonObject("runtime");
        assertThat(runtime.getString("image")).isEqualTo("blaxel/base-image:latest");
        assertThat(runtime.getInteger("memory")).isEqualTo(4096);
        assertThat(runtime.getJsonArray("ports").getJsonObject(0).getInteger("target")).isEqualTo(3000);
        assertThat(s.getJsonObject("spec").containsKey("region")).isFalse();
    }

    @Test
    void create_if_not_exist_answers_200_with_the_existing_sandbox_and_plain_create_409() {
        broker.post("/v0/sandboxes", createBody("beta"));

        HttpResponse<String> again = broker.post("/v0/sandboxes?createIfNotExist=true", createBody("beta"));
        HttpResponse<String> conflict = broker.post("/v0/sandboxes", createBody("beta"));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).getJsonObject("metadata").getString("name")).isEqualTo("beta");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).getInteger("code")).isEqualTo(409);
        assertThat(json(conflict).getString("error")).isEqualTo("CONFLICT");
    }

    @Test
    void create_if_not_exist_replaces_a_sandbox_that_cannot_be_reused_and_never_answers_409() {
        broker.post("/v0/sandboxes", createBody("failed-one"));
        broker.gateway.setStatus(dev.sandgate.domain.SandboxName.of("failed-one"), dev.sandgate.domain.SandboxStatus.FAILED);

        HttpResponse<String> r = broker.post("/v0/sandboxes?createIfNotExist=true", createBody("failed-one"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).getString("status")).isEqualTo("DEPLOYED");
        assertThat(json(r).getJsonObject("metadata").getString("name")).isEqualTo("failed-one");
    }

    @Test
    void concurrent_create_if_not_exist_all_answer_200_with_the_same_sandbox() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.Callable<HttpResponse<String>> create =
                    () -> broker.post("/v0/sandboxes?createIfNotExist=true", createBody("raced"));
            var answers = pool.invokeAll(java.util.Collections.nCopies(8, create));
            for (var answer : answers) {
                HttpResponse<String> r = answer.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(json(r).getJsonObject("metadata").getString("name")).isEqualTo("raced");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_create_without_a_name_gets_one() {
        HttpResponse<String> r = broker.post("/v0/sandboxes", new JsonObject().put("spec", new JsonObject()));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).getJsonObject("metadata").getString("name")).startsWith("sandbox-");
    }

    @Test
    void get_list_put_and_delete_use_the_same_shape_and_list_is_a_bare_array() {
        broker.post("/v0/sandboxes", createBody("gamma"));

        JsonObject got = json(broker.get("/v0/sandboxes/gamma"));
        JsonArray list = array(broker.get("/v0/sandboxes"));
        got.getJsonObject("metadata").put("labels", new JsonObject().put("team", "y"));
        JsonObject put = json(broker.put("/v0/sandboxes/gamma", got));
        HttpResponse<String> deleted = broker.delete("/v0/sandboxes/gamma");
        HttpResponse<String> gone = broker.get("/v0/sandboxes/gamma");

        assertThat(got.getJsonObject("metadata").getString("url")).endsWith("/test-ws/sandboxes/gamma");
        assertThat(list.stream().map(o -> ((JsonObject) o).getJsonObject("metadata").getString("name")))
                .contains("gamma");
        assertThat(put.getJsonObject("metadata").getJsonObject("labels").getMap()).containsEntry("team", "y");
        assertThat(put.getJsonObject("spec").getJsonObject("runtime").getJsonArray("ports")).hasSize(1);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).getString("status")).isEqualTo("DELETING");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).getMap()).containsEntry("code", 404).containsEntry("error", "NOT_FOUND")
                .containsKey("message");
    }

    @Test
    void previews_carry_resource_name_and_their_url_and_list_is_a_bare_array() {
        broker.post("/v0/sandboxes", createBody("delta"));
        JsonObject body = new JsonObject("{\"metadata\":{\"name\":\"preview\"},\"spec\":{\"port\":3000,\"public\":true,"
                + "\"responseHeaders\":{\"Access-Control-Allow-Origin\":\"https://app.example\"}}}");

        HttpResponse<String> created = broker.post("/v0/sandboxes/delta/previews", body);
        HttpResponse<String> duplicate = broker.post("/v0/sandboxes/delta/previews", body);
        JsonArray list = array(broker.get("/v0/sandboxes/delta/previews"));
        JsonObject got = json(broker.get("/v0/sandboxes/delta/previews/preview"));
        got.getJsonObject("spec").put("public", false);
        JsonObject put = json(broker.put("/v0/sandboxes/delta/previews/preview", got));
        JsonObject deleted = json(broker.delete("/v0/sandboxes/delta/previews/preview"));
        HttpResponse<String> gone = broker.get("/v0/sandboxes/delta/previews/preview");

        assertThat(created.statusCode()).isEqualTo(200);
        JsonObject p = json(created);
        assertThat(p.getJsonObject("metadata").getString("resourceName")).isEqualTo("delta");
        assertThat(p.getJsonObject("metadata").getString("resourceType")).isEqualTo("sandbox");
        assertThat(p.getJsonObject("metadata").getString("workspace")).isEqualTo(BrokerFixture.WS);
        assertThat(p.getJsonObject("spec").getString("url")).isEqualTo(broker.base + "/p/delta/preview");
        assertThat(p.getJsonObject("spec").getInteger("port")).isEqualTo(3000);
        assertThat(p.getJsonObject("spec").getBoolean("public")).isTrue();
        assertThat(p.getJsonObject("spec").getJsonObject("responseHeaders").getString("Access-Control-Allow-Origin"))
                .isEqualTo("https://app.example");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(list).hasSize(1);
        assertThat(put.getJsonObject("spec").getBoolean("public")).isFalse();
        assertThat(deleted.getString("status")).isEqualTo("DELETED");
        assertThat(json(gone).getInteger("code")).isEqualTo(404);
    }

    @Test
    void a_session_preview_is_served_under_s_and_its_tokens_are_listed_with_their_values() {
        broker.post("/v0/sandboxes", createBody("epsilon"));
        String expires = "2026-11-24T09:00:06.632Z";
        JsonObject preview = json(broker.post("/v0/sandboxes/epsilon/previews", new JsonObject(
                "{\"metadata\":{\"name\":\"session-1795424406633\"},\"spec\":{\"port\":443,\"public\":false,"
                        + "\"expires\":\"" + expires + "\"}}")));
        String resource = preview.getJsonObject("metadata").getString("resourceName");
        String tokens = "/v0/sandboxes/" + resource + "/previews/session-1795424406633/tokens";

        HttpResponse<String> created = broker.post(tokens, new JsonObject(
                "{\"metadata\":{\"name\":\"token-1795424406652\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}"));
        JsonArray list = array(broker.get(tokens));
        JsonObject deleted = json(broker.delete(tokens + "/token-1795424406652"));

        assertThat(preview.getJsonObject("spec").getString("url")).isEqualTo(broker.base + "/s/epsilon/session-1795424406633");
        assertThat(preview.getJsonObject("spec").getString("expires")).isEqualTo("2026-11-24T09:00:06.632Z");
        JsonObject t = json(created);
        assertThat(t.getJsonObject("metadata").getMap()).containsEntry("name", "token-1795424406652")
                .containsEntry("previewName", "session-1795424406633").containsEntry("resourceName", "epsilon")
                .containsEntry("resourceType", "sandbox").containsEntry("workspace", BrokerFixture.WS);
        assertThat(t.getJsonObject("spec").getString("token")).hasSizeGreaterThanOrEqualTo(16);
        assertThat(t.getJsonObject("spec").getString("expiresAt")).isEqualTo("2026-11-24T09:00:06.632Z");
        assertThat(t.getJsonObject("spec").getBoolean("expired")).isFalse();
        assertThat(list).hasSize(1);
        assertThat(list.getJsonObject(0).getJsonObject("spec").getString("token"))
                .isEqualTo(t.getJsonObject("spec").getString("token"));
        assertThat(deleted.getJsonObject("metadata").getString("name")).isEqualTo("token-1795424406652");
    }

    @Test
    void bad_input_is_400_json_never_500() {
        HttpResponse<String> malformed = broker.send(broker.withKey(broker.base + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"metadata\":")));
        HttpResponse<String> deep = broker.send(broker.withKey(broker.base + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("[".repeat(10_000) + "]".repeat(10_000))));
        HttpResponse<String> deepObject = broker.send(broker.withKey(broker.base + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000))));
        HttpResponse<String> badName = broker.post("/v0/sandboxes", createBody("Not_A_Name"));
        HttpResponse<String> badType = broker.post("/v0/sandboxes", new JsonObject("{\"metadata\":{\"name\":\"zeta\"},"
                + "\"spec\":{\"runtime\":{\"memory\":\"lots\"}}}"));
        HttpResponse<String> badHeader = broker.post("/v0/sandboxes", createBody("eta"));
        HttpResponse<String> injected = broker.post("/v0/sandboxes/eta/previews", new JsonObject()
                .put("metadata", new JsonObject().put("name", "p1"))
                .put("spec", new JsonObject().put("port", 3000)
                        .put("responseHeaders", new JsonObject().put("X-Evil", "a\r\nSet-Cookie: x=1"))));

        for (HttpResponse<String> r : java.util.List.of(malformed, deep, deepObject, badName, badType, injected)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(json(r).getInteger("code")).isEqualTo(400);
            assertThat(json(r).getString("message")).isNotBlank();
        }
        assertThat(badHeader.statusCode()).isEqualTo(200);
    }

    @Test
    void a_body_over_the_limit_is_413_json() {
        String big = "{\"metadata\":{\"name\":\"big\",\"labels\":{\"x\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}}}";

        HttpResponse<String> r = broker.send(broker.withKey(broker.base + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(big)));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).getString("error")).isEqualTo("TOO_LARGE");
    }

    @Test
    void unknown_routes_and_methods_are_json_errors() {
        HttpResponse<String> unknown = broker.get("/nowhere/at/all");
        HttpResponse<String> unknownV0 = broker.get("/v0/volumes");
        HttpResponse<String> method = broker.send(broker.withKey(broker.base + "/v0/sandboxes")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).getString("error")).isEqualTo("NOT_FOUND");
        assertThat(unknownV0.statusCode()).isEqualTo(404);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(json(method).getInteger("code")).isEqualTo(405);
    }
}
