package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.usecase.Sandgate;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes owned by the session that started them, through the real program over HTTP with real OS processes: two
 * sessions minted with scopes on one sandbox each reach only their own processes (another's looks exactly like one
 * that does not exist), a session with {@code process:others} and one minted without scopes reach all of them, and
 * the API-key holder sees which session started each.
 */
class OwnedProcessesTest {
    private static final String SANDBOX = "owned";
    private static final List<String> OWN = List.of("process:exec", "process:read", "process:signal");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SandgateApp app;

    /** A session as the control plane minted it: its name, URL and token. */
    private record Minted(String name, String url, String token) {
    }

    @BeforeEach
    void start() throws Exception {
        app = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).isolation(IsolationMode.NONE)
                .allowUnisolatedSessions(true).build(), Clock.systemUTC(), new SecureRandom());
        assertThat(withKey("POST", "/v0/sandboxes", "{\"metadata\":{\"name\":\"" + SANDBOX + "\"}}").statusCode())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    // ---- HTTP

    private HttpResponse<String> send(HttpRequest.Builder request, String method, String body)
            throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> withKey(String method, String path, String body)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(app.publicUrl() + path))
                .header("X-Blaxel-Authorization", "Bearer " + app.apiKey().value())
                .header("X-Blaxel-Workspace", "default"), method, body);
    }

    private HttpResponse<String> as(Minted session, String method, String path, String body)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(session.url() + path))
                .header("X-Blaxel-Preview-Token", session.token()), method, body);
    }

    private HttpResponse<String> sandboxApi(String method, String path) throws IOException, InterruptedException {
        return withKey(method, "/default/sandboxes/" + SANDBOX + path, null);
    }

    /** A session preview with these scopes ({@code null}: none, full access) and a token for it. */
    private Minted mint(String name, List<String> operations) throws Exception {
        String expires = Instant.now().plus(Duration.ofMinutes(10)).toString();
        JsonObject body = new JsonObject().put("metadata", new JsonObject().put("name", name))
                .put("spec", new JsonObject().put("port", 443).put("public", false).put("expires", expires));
        if (operations != null) {
            body.put("sandgate", new JsonObject().put("scopes",
                    new JsonObject().put("operations", new JsonArray(operations))));
        }
        HttpResponse<String> preview = withKey("POST", "/v0/sandboxes/" + SANDBOX + "/previews", body.encode());
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        HttpResponse<String> token = withKey("POST", "/v0/sandboxes/" + SANDBOX + "/previews/" + name + "/tokens",
                "{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return new Minted(name, new JsonObject(preview.body()).getJsonObject("spec").getString("url"),
                new JsonObject(token.body()).getJsonObject("spec").getString("token"));
    }

    /** Starts a long-running process named {@code name} as {@code session}; its pid. */
    private String startAs(Minted session, String name) throws Exception {
        HttpResponse<String> started = as(session, "POST", "/process",
                "{\"name\":\"" + name + "\",\"command\":\"echo secret-of-" + name + "; exec sleep 600\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        return new JsonObject(started.body()).getString("pid");
    }

    private static List<String> names(HttpResponse<String> list) {
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        return new JsonArray(list.body()).stream().map(o -> ((JsonObject) o).getString("name")).toList();
    }

    /** What the API key sees: each process by name, with the session that started it (empty: none). */
    private Map<String, Optional<String>> startedByAsSeenByTheKey() throws Exception {
        HttpResponse<String> list = sandboxApi("GET", "/process");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        return new JsonArray(list.body()).stream().map(o -> (JsonObject) o).collect(Collectors.toMap(
                p -> p.getString("name"), p -> Optional.ofNullable(p.getJsonObject("sandgate"))
                        .map(s -> s.getString("startedBy")), (a, b) -> b));
    }

    /** Waits until the process's first line reached its logs (its output is read asynchronously). */
    private void awaitFirstLine(String name) {
        Eventually.await(name + "'s first line in its logs", Duration.ofSeconds(20), () -> {
            try {
                return sandboxApi("GET", "/process/" + name + "/logs").body().contains("secret-of-" + name);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private void assertStillRunning(String name) throws Exception {
        HttpResponse<String> got = sandboxApi("GET", "/process/" + name);
        assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
        assertThat(new JsonObject(got.body()).getString("status")).isEqualTo("running");
    }

    /** The answer for a process that is not there, asked as {@code session} in the same way. */
    private static void assertLooksAbsent(HttpResponse<String> foreign, HttpResponse<String> absent) {
        assertThat(absent.statusCode()).as(absent.body()).isEqualTo(404);
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(404);
        assertThat(foreign.body()).isEqualTo(absent.body());
        assertThat(new JsonObject(foreign.body()).getString("reason")).isEqualTo("NOT_FOUND");
    }

    // ---- tests

    @Test
    void a_scoped_session_cannot_kill_a_process_another_session_started() throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);
        String pid = startAs(a, "job-a");

        assertLooksAbsent(as(b, "DELETE", "/process/job-a/kill", null),
                as(b, "DELETE", "/process/no-such-job/kill", null));
        assertLooksAbsent(as(b, "DELETE", "/process/" + pid + "/kill", null),
                as(b, "DELETE", "/process/999999999/kill", null));
        assertLooksAbsent(as(b, "DELETE", "/process/job-a", null), as(b, "DELETE", "/process/no-such-job", null));
        assertLooksAbsent(as(b, "DELETE", "/process/" + pid, null), as(b, "DELETE", "/process/999999999", null));

        assertStillRunning("job-a");
        HttpResponse<String> killedByOwner = as(a, "DELETE", "/process/job-a/kill", null);
        assertThat(killedByOwner.statusCode()).as(killedByOwner.body()).isEqualTo(200);
    }

    @Test
    void a_scoped_session_cannot_list_get_read_logs_stream_or_write_to_a_process_another_session_started()
            throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);
        String pidA = startAs(a, "job-a");
        startAs(b, "job-b");
        awaitFirstLine("job-a");

        HttpResponse<String> listB = as(b, "GET", "/process", null);
        assertThat(names(listB)).containsExactly("job-b");
        assertThat(listB.body()).doesNotContain(pidA).doesNotContain("session-a");
        assertThat(names(as(a, "GET", "/process", null))).containsExactly("job-a");

        for (String id : List.of("job-a", pidA)) {
            assertLooksAbsent(as(b, "GET", "/process/" + id, null), as(b, "GET", "/process/no-such-job", null));
            assertLooksAbsent(as(b, "GET", "/process/" + id + "/logs", null),
                    as(b, "GET", "/process/no-such-job/logs", null));
            HttpResponse<String> stream = as(b, "GET", "/process/" + id + "/logs/stream", null);
            assertLooksAbsent(stream, as(b, "GET", "/process/no-such-job/logs/stream", null));
            assertThat(stream.body()).doesNotContain("secret-of-job-a");
            assertLooksAbsent(as(b, "POST", "/process/" + id + "/stdin", "typed"),
                    as(b, "POST", "/process/no-such-job/stdin", "typed"));
            assertLooksAbsent(as(b, "DELETE", "/process/" + id + "/stdin", null),
                    as(b, "DELETE", "/process/no-such-job/stdin", null));
        }
        // each still reaches its own
        assertThat(as(a, "GET", "/process/job-a/logs", null).body()).contains("secret-of-job-a");
        assertThat(as(b, "GET", "/process/job-b", null).statusCode()).isEqualTo(200);
        assertStillRunning("job-a");
    }

    @Test
    void a_scoped_session_cannot_take_over_the_name_of_a_running_process_of_another_session() throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);
        String pidA = startAs(a, "web");

        HttpResponse<String> taken = as(b, "POST", "/process", "{\"name\":\"web\",\"command\":\"sleep 600\"}");

        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(400);
        assertThat(new JsonObject(taken.body()).getString("reason")).isEqualTo("CONFLICT");
        assertThat(taken.body()).doesNotContain(pidA).doesNotContain("session-a").doesNotContain("secret");
        assertThat(names(as(b, "GET", "/process", null))).isEmpty();
        assertThat(as(b, "GET", "/process/web", null).statusCode()).isEqualTo(404);
        assertThat(startedByAsSeenByTheKey()).containsEntry("web", Optional.of("session-a")).hasSize(1);

        // once A's has ended, B may use the name, and then reaches its own process by it, never A's
        assertThat(as(a, "DELETE", "/process/web/kill", null).statusCode()).isEqualTo(200);
        String pidB = startAs(b, "web");
        HttpResponse<String> byName = as(b, "GET", "/process/web", null);
        assertThat(new JsonObject(byName.body()).getString("pid")).isEqualTo(pidB);
        HttpResponse<String> aByName = as(a, "GET", "/process/web", null);
        assertThat(new JsonObject(aByName.body()).getString("pid")).isEqualTo(pidA);
        assertThat(as(a, "DELETE", "/process/web/kill", null).statusCode()).isEqualTo(404);
        assertStillRunning("web");
    }

    @Test
    void a_scoped_session_cannot_record_its_process_as_started_by_another_session() throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);

        HttpResponse<String> started = as(b, "POST", "/process", "{\"name\":\"disguised\",\"command\":\"sleep 600\","
                + "\"sandgate\":{\"startedBy\":\"session-a\"}}");

        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(startedByAsSeenByTheKey()).containsEntry("disguised", Optional.of("session-b"));
        assertThat(names(as(a, "GET", "/process", null))).isEmpty();
    }

    @Test
    void a_session_with_process_others_reaches_the_processes_of_every_session() throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);
        Minted operator = mint("session-ops", List.of("process:read", "process:signal", "process:others"));
        startAs(a, "job-a");
        startAs(b, "job-b");
        withKey("POST", "/default/sandboxes/" + SANDBOX + "/process",
                "{\"name\":\"job-key\",\"command\":\"sleep 600\"}");
        awaitFirstLine("job-a");

        assertThat(names(as(operator, "GET", "/process", null))).containsExactlyInAnyOrder("job-a", "job-b",
                "job-key");
        assertThat(as(operator, "GET", "/process/job-a/logs", null).body()).contains("secret-of-job-a");
        assertThat(as(operator, "DELETE", "/process/job-b/kill", null).statusCode()).isEqualTo(200);
        assertThat(as(b, "GET", "/process/job-b", null).body()).contains("\"status\":\"killed\"");
    }

    @Test
    void the_api_key_holder_sees_which_session_started_each_process() throws Exception {
        Minted a = mint("session-a", OWN);
        Minted b = mint("session-b", OWN);
        startAs(a, "job-a");
        startAs(b, "job-b");
        assertThat(withKey("POST", "/default/sandboxes/" + SANDBOX + "/process",
                "{\"name\":\"job-key\",\"command\":\"sleep 600\"}").statusCode()).isEqualTo(200);

        assertThat(startedByAsSeenByTheKey()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "job-a", Optional.of("session-a"), "job-b", Optional.of("session-b"), "job-key", Optional.empty()));
        HttpResponse<String> one = sandboxApi("GET", "/process/job-a");
        assertThat(new JsonObject(one.body()).getJsonObject("sandgate").getMap())
                .isEqualTo(Map.of("startedBy", "session-a"));

        // the Java client reads it too
        SandgateClient client = SandgateClient.builder().baseUrl(app.publicUrl() + "/v0").workspace("default")
                .apiKey(app.apiKey().value()).build();
        Map<String, Optional<PreviewName>> seen = client.gateway().dataPlane(SandboxName.of(SANDBOX))
                .listProcesses().stream().collect(Collectors.toMap(p -> p.name().value(), ProcessInfo::startedBy));
        assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("job-a", Optional.of(PreviewName.of("session-a")),
                "job-b", Optional.of(PreviewName.of("session-b")), "job-key", Optional.empty()));
    }

    @Test
    void a_session_minted_by_sessions_create_sees_every_process_as_today() throws Exception {
        Minted a = mint("session-a", OWN);
        startAs(a, "job-a");
        withKey("POST", "/default/sandboxes/" + SANDBOX + "/process", "{\"name\":\"job-key\",\"command\":\"sleep 600\"}");
        SandgateClient backend = SandgateClient.builder().baseUrl(app.publicUrl() + "/v0").workspace("default")
                .apiKey(app.apiKey().value()).build();
        Session plain = Sandgate.create(backend.gateway()).sandboxes().createIfNotExists(SandboxSpec.of(
                SandboxName.of(SANDBOX))).sessions().create(SessionOptions.expiringAt(Instant.now().plus(
                Duration.ofMinutes(10))));
        Minted full = new Minted(plain.name().value(), plain.url(), plain.token().value());

        String mine = startAs(full, "job-full");
        awaitFirstLine("job-a");

        assertThat(names(as(full, "GET", "/process", null))).containsExactlyInAnyOrder("job-a", "job-key",
                "job-full");
        assertThat(as(full, "GET", "/process/job-a/logs", null).body()).contains("secret-of-job-a");
        assertThat(startedByAsSeenByTheKey()).containsEntry("job-full", Optional.of(plain.name().value()));
        assertThat(as(full, "DELETE", "/process/job-key/kill", null).statusCode()).isEqualTo(200);
        assertThat(mine).isNotBlank();
        // and a scoped session does not see the plain session's process
        assertThat(names(as(a, "GET", "/process", null))).containsExactly("job-a");
    }

    @Test
    void processes_and_so_their_owners_do_not_outlive_a_restart_of_the_broker() throws Exception {
        Minted a = mint("session-a", OWN);
        startAs(a, "job-a");
        assertThat(startedByAsSeenByTheKey()).containsEntry("job-a", Optional.of("session-a"));

        app.close();
        app = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).isolation(IsolationMode.NONE)
                .allowUnisolatedSessions(true).build(), Clock.systemUTC(), new SecureRandom());

        // the sandbox and the session are kept; its processes were killed with the broker, records and all
        assertThat(startedByAsSeenByTheKey()).isEmpty();
        Function<String, String> url = u -> u.replaceFirst("http://127\\.0\\.0\\.1:\\d+", app.publicUrl().toString());
        Minted again = new Minted(a.name(), url.apply(a.url()), a.token());
        assertThat(names(as(again, "GET", "/process", null))).isEmpty();
    }
}
