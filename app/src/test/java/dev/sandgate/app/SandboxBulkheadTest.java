package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.process.IsolationMode;
import io.vertx.core.json.JsonArray;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real broker and local runtime: what one session makes its own sandbox do (open FIFOs, wait for
 * processes) never takes the threads another sandbox or the control plane needs.
 */
class SandboxBulkheadTest {
    /** What a request of another sandbox, or of the control plane, may take while sandbox A is under attack. */
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path dataDir;
    private SandgateApp app;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        app = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).isolation(IsolationMode.AUTO).build(),
                Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void many_writes_and_reads_of_a_fifo_by_one_session_do_not_stop_another_sandbox_or_the_control_plane()
            throws Exception {
        String a = sandbox("fifo-a");
        String b = sandbox("calm-b");
        Session session = session("fifo-a");
        HttpResponse<String> made = send(withKey(a + "/process").header("Content-Type", "application/json")
                .POST(body("{\"command\":\"mkdir -p race && mkfifo race/pipe\",\"waitForCompletion\":true}")));
        assertThat(made.body()).contains("\"exitCode\":0");

        List<CompletableFuture<HttpResponse<String>>> attack = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(session.url() + "/filesystem/race/pipe"))
                    .header("X-Blaxel-Preview-Token", session.token()).timeout(Duration.ofSeconds(60));
            attack.add(http.sendAsync((i % 2 == 0 ? request.header("Content-Type", "application/json")
                    .PUT(body("{\"content\":\"x\"}")) : request.GET()).build(), HttpResponse.BodyHandlers.ofString()));
        }

        long started = System.nanoTime();
        HttpResponse<String> other = send(withKey(b + "/filesystem/").GET());
        HttpResponse<String> control = send(withKey(app.publicUrl() + "/v0/sandboxes").GET());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(control.statusCode()).isEqualTo(200);
        assertThat(took).isLessThan(PROMPT);
        for (CompletableFuture<HttpResponse<String>> refused : attack) {
            HttpResponse<String> answer = refused.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isIn(400, 503);
            assertThat(answer.body()).startsWith("{");
        }
    }

    @Test
    void forty_waiting_execs_of_one_session_do_not_delay_another_sandboxs_exec() throws Exception {
        String a = sandbox("waits-a");
        String b = sandbox("quick-b");
        Session session = session("waits-a");
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            waiting.add(http.sendAsync(HttpRequest.newBuilder(URI.create(session.url() + "/process"))
                    .header("X-Blaxel-Preview-Token", session.token()).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(120))
                    .POST(body("{\"command\":\"sleep 60\",\"waitForCompletion\":true,\"timeout\":90}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // More run at once than the exec pool has threads (32): a waiting exec holds none.
        while (new JsonArray(send(withKey(a + "/process").GET()).body()).size() <= 32) {
            assertThat(System.nanoTime() - deadline).as("more than 32 of sandbox A's execs started").isNegative();
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }

        long started = System.nanoTime();
        HttpResponse<String> quick = send(withKey(b + "/process").header("Content-Type", "application/json")
                .POST(body("{\"command\":\"echo quick\",\"waitForCompletion\":true}")));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(quick.statusCode()).as(quick.body()).isEqualTo(200);
        assertThat(quick.body()).contains("quick");
        assertThat(took).isLessThan(PROMPT);
        waiting.forEach(w -> w.cancel(true));
    }

    // ---- helpers ----

    private record Session(String url, String token) {
    }

    /** Creates a sandbox; answers its data-plane URL. */
    private String sandbox(String name) throws Exception {
        HttpResponse<String> created = send(withKey(app.publicUrl() + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(body("{\"metadata\":{\"name\":\"" + name + "\"}}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return new JsonObject(created.body()).getJsonObject("metadata").getString("url");
    }

    /** A session of sandbox {@code name}: a private port-443 preview and a token, as the SDK makes them. */
    private Session session(String name) throws Exception {
        String expires = Instant.now().plus(Duration.ofHours(1)).toString();
        HttpResponse<String> preview = send(withKey(app.publicUrl() + "/v0/sandboxes/" + name + "/previews")
                .header("Content-Type", "application/json")
                .POST(body("{\"metadata\":{\"name\":\"session-1\"},\"spec\":{\"port\":443,\"public\":false,"
                        + "\"expires\":\"" + expires + "\"},"
                        // the attack is on the broker's threads, not on the session's quotas (32 execs by default)
                        + "\"sandgate\":{\"quotas\":{\"concurrentExecs\":100,\"requestsPerSecond\":1000}}}")));
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        HttpResponse<String> token = send(withKey(app.publicUrl() + "/v0/sandboxes/" + name
                + "/previews/session-1/tokens").header("Content-Type", "application/json")
                .POST(body("{\"metadata\":{\"name\":\"token-1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}")));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return new Session(new JsonObject(preview.body()).getJsonObject("spec").getString("url"),
                new JsonObject(token.body()).getJsonObject("spec").getString("token"));
    }

    private HttpRequest.Builder withKey(String uri) {
        return HttpRequest.newBuilder(URI.create(uri))
                .header("x-blaxel-authorization", "Bearer " + app.apiKey().value())
                .header("x-blaxel-workspace", "default");
    }

    private static HttpRequest.BodyPublisher body(String json) {
        return HttpRequest.BodyPublishers.ofString(json);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(PROMPT.plusSeconds(25)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
