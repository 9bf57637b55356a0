package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.array;
import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The sandbox API's bodies and streams (protocol section c), through a session URL and the sandbox URL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneWireTest {
    private BrokerFixture broker;
    private SandboxName sandbox;
    private String session;
    private String token;

    @BeforeAll
    void start() {
        broker = new BrokerFixture(s -> s.toBuilder().keepaliveInterval(Duration.ofMillis(100)).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        sandbox = broker.sandbox("data");
        PreviewToken t = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofDays(1)),
                Map.of("Access-Control-Allow-Origin", "https://app.example"));
        session = broker.sessionUrl(sandbox, "session-1");
        token = t.value().value();
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private HttpRequest.Builder req(String path) {
        return broker.request(session + path).header("X-Blaxel-Preview-Token", token);
    }

    private HttpResponse<String> post(String path, String body) {
        return broker.send(req(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> put(String path, String body) {
        return broker.send(req(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void exec_with_wait_for_completion_answers_the_process_with_its_output() {
        HttpResponse<String> r = post("/process", "{\"command\":\"echo hello-from-session\",\"waitForCompletion\":true}");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject p = json(r);
        assertThat(p.getValue("pid")).isInstanceOf(String.class);
        assertThat(p.getString("status")).isEqualTo("completed");
        assertThat(p.getInteger("exitCode")).isZero();
        assertThat(p.getString("logs")).isEqualTo("hello-from-session\n");
        assertThat(p.getString("stdout")).isEqualTo("hello-from-session\n");
        assertThat(p.getString("stderr")).isEmpty();
        DateTimeFormatter.RFC_1123_DATE_TIME.parse(p.getString("startedAt"));
        assertThat(p.getString("startedAt")).endsWith(" GMT");
        DateTimeFormatter.RFC_1123_DATE_TIME.parse(p.getString("completedAt"));
        assertThat(p.getString("workingDir")).isEqualTo("/");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    }

    @Test
    void a_running_process_has_an_empty_completed_at_and_can_be_read_listed_stopped_and_killed() {
        JsonObject started = json(post("/process", "{\"name\":\"web\",\"command\":\"sleep 600\"}"));
        HttpResponse<String> sameName = post("/process", "{\"name\":\"web\",\"command\":\"sleep 600\"}");
        JsonObject byName = json(broker.send(req("/process/web").GET()));
        JsonArray list = array(broker.send(req("/process").GET()));
        HttpResponse<String> stop = broker.send(req("/process/web").DELETE());
        JsonObject stopped = json(broker.send(req("/process/" + started.getString("pid")).GET()));
        HttpResponse<String> stopAgain = broker.send(req("/process/web").DELETE());
        json(post("/process", "{\"name\":\"victim\",\"command\":\"sleep 600\"}"));
        HttpResponse<String> kill = broker.send(req("/process/victim/kill").DELETE());
        JsonObject killed = json(broker.send(req("/process/victim").GET()));
        HttpResponse<String> unknown = broker.send(req("/process/nope").GET());

        assertThat(started.getString("status")).isEqualTo("running");
        assertThat(started.getString("completedAt")).isEmpty();
        assertThat(sameName.statusCode()).as("the sandbox API answers a taken name with 400").isEqualTo(400);
        assertThat(json(sameName).getString("error")).contains("already exists");
        assertThat(json(sameName).getString("reason")).isEqualTo("CONFLICT");
        assertThat(byName.getString("pid")).isEqualTo(started.getString("pid"));
        assertThat(list.stream().map(o -> ((JsonObject) o).getString("name"))).contains("web");
        assertThat(json(stop).getString("message")).isEqualTo("Process stopped successfully");
        assertThat(stopped.getString("status")).isEqualTo("stopped");
        assertThat(stopped.getInteger("exitCode")).isNotZero();
        assertThat(stopAgain.statusCode()).isEqualTo(404);
        assertThat(json(kill).getString("message")).isEqualTo("Process killed successfully");
        assertThat(killed.getString("status")).isEqualTo("killed");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).getString("error")).isNotBlank();
        assertThat(json(unknown).getInteger("code")).isEqualTo(404);
    }

    @Test
    void logs_answer_stdout_stderr_and_logs() {
        String pid = json(post("/process", "{\"command\":\"echo one\",\"waitForCompletion\":true}")).getString("pid");

        JsonObject logs = json(broker.send(req("/process/" + pid + "/logs").GET()));

        assertThat(logs.getMap()).containsEntry("stdout", "one\n").containsEntry("stderr", "").containsEntry("logs", "one\n");
    }

    @Test
    void bad_exec_requests_are_4xx() {
        assertThat(post("/process", "{}").statusCode()).isEqualTo(400);
        assertThat(post("/process", "{\"command\":42}").statusCode()).isEqualTo(400);
        assertThat(post("/process", "{\"command\":\"echo a\",\"waitForPorts\":[\"x\"]}").statusCode()).isEqualTo(400);
        assertThat(post("/process", "{\"command\":\"echo a\",\"workingDir\":\"/missing\"}").statusCode()).isEqualTo(422);
        assertThat(post("/process", "{\"command\":\"echo a\",\"env\":{\"1BAD\":\"x\"}}").statusCode()).isEqualTo(400);
    }

    @Test
    void the_log_stream_prefixes_every_line_sends_keepalives_and_closes_when_the_process_exits() throws Exception {
        String pid = json(post("/process", "{\"name\":\"streamer\",\"command\":\"sleep 600\"}")).getString("pid");
        HttpResponse<InputStream> stream = broker.http.send(req("/process/" + pid + "/logs/stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("[keepalive]");

        broker.send(req("/process/" + pid).DELETE());
        List<String> rest = CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            reader.lines().forEach(lines::add);
            return lines;
        }).get(10, TimeUnit.SECONDS);

        assertThat(rest).allSatisfy(l -> assertThat(l).matches("\\[keepalive\\]|stdout:.*|stderr:.*"));
    }

    @Test
    void the_log_stream_of_a_finished_process_replays_its_output_prefixed_and_ends() {
        String pid = json(post("/process", "{\"command\":\"echo replayed\",\"waitForCompletion\":true}")).getString("pid");

        HttpResponse<String> r = broker.send(req("/process/" + pid + "/logs/stream").GET());
        HttpResponse<String> unknown = broker.send(req("/process/unknown-proc/logs/stream").GET());

        assertThat(r.body()).isEqualTo("stdout:replayed\n");
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void exec_with_accept_event_stream_answers_ndjson_ending_with_the_result_as_a_json_string() {
        HttpResponse<String> r = broker.send(req("/process").header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"echo streamed\",\"waitForCompletion\":true}")));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        List<JsonObject> lines = r.body().lines().map(JsonObject::new).toList();
        assertThat(lines).filteredOn(l -> !l.getString("type").equals("keepalive")).extracting(l -> l.getString("type"))
                .containsExactly("stdout", "result");
        assertThat(lines.stream().filter(l -> l.getString("type").equals("stdout")).findFirst().orElseThrow()
                .getString("data")).isEqualTo("streamed");
        JsonObject result = new JsonObject(lines.get(lines.size() - 1).getString("data"));
        assertThat(result.getString("status")).isEqualTo("completed");
        assertThat(result.getString("logs")).isEqualTo("streamed\n");
    }

    @Test
    void files_are_written_read_listed_and_removed_through_percent_encoded_paths() {
        HttpResponse<String> mkdir = put("/filesystem/%2Fapp", "{\"isDirectory\":true,\"permissions\":\"0755\"}");
        HttpResponse<String> write = put("/filesystem/%2Fapp%2Fa.txt", "{\"content\":\"hello\"}");
        JsonObject read = json(broker.send(req("/filesystem/%2Fapp%2Fa.txt").GET()));
        HttpResponse<byte[]> raw = sendBytes(req("/filesystem/%2Fapp%2Fa.txt").header("Accept", "application/octet-stream").GET());
        JsonObject dir = json(broker.send(req("/filesystem/%2Fapp").GET()));
        HttpResponse<String> notEmpty = broker.send(req("/filesystem/%2Fapp?recursive=false").DELETE());
        HttpResponse<String> rm = broker.send(req("/filesystem/%2Fapp?recursive=true").DELETE());
        HttpResponse<String> gone = broker.send(req("/filesystem/%2Fapp%2Fa.txt").GET());

        assertThat(mkdir.statusCode()).isEqualTo(200);
        assertThat(json(write).getString("path")).isEqualTo("/app/a.txt");
        assertThat(read.getMap()).containsEntry("name", "a.txt").containsEntry("path", "/app/a.txt")
                .containsEntry("content", "hello").containsKeys("size", "permissions", "owner", "group", "lastModified");
        assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(dir.getString("path")).isEqualTo("/app");
        assertThat(dir.getJsonArray("files").getJsonObject(0).getString("name")).isEqualTo("a.txt");
        assertThat(dir.getJsonArray("subdirectories")).isEmpty();
        assertThat(notEmpty.statusCode()).isBetween(400, 499);
        assertThat(rm.statusCode()).isEqualTo(200);
        assertThat(gone.statusCode()).isEqualTo(404);
    }

    @Test
    void a_binary_write_uses_multipart_and_the_double_slash_form() {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 10, 13};
        String boundary = "----sandgate-test";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"test-binary.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"permissions\"\r\n\r\n0644\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n/tmp/x.bin\r\n--"
                + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));

        HttpResponse<String> write = broker.send(req("/filesystem//tmp/x.bin")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        HttpResponse<byte[]> read = sendBytes(req("/filesystem/%2Ftmp%2Fx.bin").header("Accept", "application/octet-stream").GET());
        HttpResponse<byte[]> readSlashes = sendBytes(req("/filesystem//tmp/x.bin").header("Accept", "application/octet-stream").GET());

        assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
        assertThat(json(write).getString("path")).isEqualTo("/tmp/x.bin");
        assertThat(read.body()).containsExactly(bytes);
        assertThat(readSlashes.body()).containsExactly(bytes);
    }

    @Test
    void traversal_and_nul_paths_are_refused_with_4xx() {
        for (String path : List.of("/filesystem/%2F..%2F..%2Fetc%2Fpasswd", "/filesystem/..%2F..%2Fetc",
                "/filesystem/%2Fa%00b", "/filesystem/%2e%2e%2Fx", "/filesystem/..\\..\\etc")) {
            HttpResponse<String> r = broker.send(req(path.replace("\\", "%5C")).GET());
            assertThat(r.statusCode()).as(path).isBetween(400, 499);
            assertThat(json(r).getString("error")).as(path).isNotBlank();
        }
        for (String path : List.of("/filesystem/%2Fa%2", "/filesystem/%ZZ")) {
            String answer = broker.raw("GET /s/data/session-1" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Blaxel-Preview-Token: " + token + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void health_and_unknown_data_routes() {
        assertThat(json(broker.send(req("/health").GET())).getString("status")).isEqualTo("ok");
        HttpResponse<String> unknown = broker.send(req("/nothing-here").GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).getString("error")).isNotBlank();
    }

    @Test
    void the_sandbox_url_serves_the_same_api_with_the_key() {
        HttpResponse<String> r = broker.send(broker.withKey(broker.sandboxUrl(sandbox) + "/process")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"echo via-key\",\"waitForCompletion\":true}")));

        assertThat(json(r).getString("stdout")).isEqualTo("via-key\n");
    }

    private HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
        try {
            return broker.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
