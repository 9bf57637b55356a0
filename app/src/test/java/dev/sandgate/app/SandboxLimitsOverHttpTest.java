package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's limits as a client of the broker sees them, through the real broker over the local runtime with the
 * settings read as the program reads them: an OOM kill in the process's answer, a full disk as a 413 JSON error.
 */
class SandboxLimitsOverHttpTest {
    @TempDir
    Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SandgateApp app;
    private String dataPlane;

    @BeforeEach
    void start() throws Exception {
        Invocation.Run run = (Invocation.Run) SettingsLoader.create(dataDir, dataDir).load(List.of(
                "--data-dir=" + dataDir, "--port=0", "--sandbox-disk-quota=16MiB"), Map.of());
        app = SandgateApp.start(run.settings(), Clock.systemUTC(), new SecureRandom());
        HttpResponse<String> created = send(request(URI.create(app.publicUrl() + "/v0/sandboxes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"small\"},"
                        + "\"spec\":{\"runtime\":{\"memory\":64}}}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        dataPlane = new JsonObject(created.body()).getJsonObject("metadata").getString("url");
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("x-blaxel-authorization", "Bearer " + app.apiKey().value())
                .header("x-blaxel-workspace", "default");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void an_allocation_past_the_sandbox_memory_answers_failed_137_and_oom_killed() throws Exception {
        HttpResponse<String> r = send(request(URI.create(dataPlane + "/process"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"python3 -c 'x = bytearray(200 * 1024 * "
                        + "1024)'\",\"waitForCompletion\":true,\"timeout\":30}")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getString("status")).isEqualTo("failed");
        assertThat(p.getInteger("exitCode")).isEqualTo(137);
        assertThat(p.getBoolean("oomKilled")).isTrue();
        assertThat(p.getString("stderr")).contains("out of memory");
    }

    @Test
    void a_process_that_ends_normally_has_no_oom_field() throws Exception {
        HttpResponse<String> r = send(request(URI.create(dataPlane + "/process"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"exit 3\",\"waitForCompletion\":true}")));

        assertThat(new JsonObject(r.body()).containsKey("oomKilled")).as(r.body()).isFalse();
    }

    @Test
    void a_file_write_past_the_disk_quota_is_a_413_json_error_not_a_500() throws Exception {
        String chunk = "x".repeat(900 * 1024);
        HttpResponse<String> last = null;
        for (int i = 0; i < 24 && (last == null || last.statusCode() == 200); i++) {
            last = send(request(URI.create(dataPlane + "/filesystem/chunk-" + i))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("content", chunk).encode())));
        }

        assertThat(last.statusCode()).as(last.body()).isEqualTo(413);
        JsonObject error = new JsonObject(last.body());
        assertThat(error.getString("error")).contains("disk quota").doesNotContain(dataDir.toString());
    }
}
