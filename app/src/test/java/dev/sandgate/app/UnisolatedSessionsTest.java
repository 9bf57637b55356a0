package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without isolation a sandbox process is the broker's user on the host, so a session would be the host: the real
 * program, over HTTP, refuses session tokens there unless the operator allows them, and still serves the API key.
 */
class UnisolatedSessionsTest {
    private static final SandboxName SANDBOX = SandboxName.of("unisolated");
    private static final String EXEC = "{\"command\":\"echo ran\",\"waitForCompletion\":true}";

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SandgateApp app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private Session startWithSession(AppSettings settings) {
        app = SandgateApp.start(settings.toBuilder().port(0).build(), Clock.systemUTC(), new SecureRandom());
        SandgateClient backend = SandgateClient.builder().baseUrl(app.publicUrl() + "/v0").workspace("default")
                .apiKey(app.apiKey().value()).build();
        SandboxInstance sandbox = Sandgate.create(backend.gateway()).sandboxes()
                .createIfNotExists(SandboxSpec.of(SANDBOX));
        return sandbox.sessions().create(SessionOptions.expiringAt(Instant.now().plus(Duration.ofMinutes(10))));
    }

    private HttpResponse<String> withToken(Session session, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(session.url() + path))
                .header("X-Blaxel-Preview-Token", session.token().value())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> withKey(String url, String method, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("X-Blaxel-Authorization", "Bearer " + app.apiKey().value())
                .header("X-Blaxel-Workspace", "default")
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_session_token_cannot_run_code_when_isolation_is_none() throws Exception {
        Session session = startWithSession(AppSettings.defaults(dataDir).toBuilder().isolation(IsolationMode.NONE).build());
        assertThat(app.refusesSessions()).isTrue();

        HttpResponse<String> exec = withToken(session, "POST", "/process", EXEC);
        HttpResponse<String> list = withToken(session, "GET", "/process", null);
        HttpResponse<String> file = withToken(session, "GET", "/filesystem/", null);

        for (HttpResponse<String> refused : java.util.List.of(exec, list, file)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            JsonObject error = new JsonObject(refused.body());
            assertThat(error.getString("reason")).isEqualTo("SESSIONS_REFUSED");
            assertThat(error.getString("error")).contains("isolation is off", "--allow-unisolated-sessions",
                    "SANDGATE_ALLOW_UNISOLATED_SESSIONS");
            assertThat(refused.body()).doesNotContain(session.token().value());
        }
        // nothing ran: the API key holder sees no process
        HttpResponse<String> processes = withKey(app.publicUrl() + "/default/sandboxes/" + SANDBOX.value()
                + "/process", "GET", null);
        assertThat(processes.statusCode()).isEqualTo(200);
        assertThat(processes.body()).doesNotContain("echo ran");
    }

    @Test
    void the_api_key_still_runs_code_on_the_session_url_when_isolation_is_none() throws Exception {
        Session session = startWithSession(AppSettings.defaults(dataDir).toBuilder().isolation(IsolationMode.NONE).build());

        HttpResponse<String> exec = withKey(session.url() + "/process", "POST", EXEC);

        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
        assertThat(new JsonObject(exec.body()).getString("status")).isEqualTo("completed");
    }

    @Test
    void with_allow_unisolated_sessions_a_session_token_runs_code_when_isolation_is_none() throws Exception {
        Session session = startWithSession(AppSettings.defaults(dataDir).toBuilder().isolation(IsolationMode.NONE)
                .allowUnisolatedSessions(true).build());
        assertThat(app.refusesSessions()).isFalse();

        HttpResponse<String> exec = withToken(session, "POST", "/process", EXEC);

        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
        assertThat(new JsonObject(exec.body()).getString("status")).isEqualTo("completed");
    }

    @Test
    void under_bubblewrap_a_session_token_runs_code_without_the_flag() throws Exception {
        try {
            Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            assumeTrue(false, "bubblewrap is not installed or cannot create namespaces here");
        }
        Session session = startWithSession(AppSettings.defaults(dataDir).toBuilder().isolation(IsolationMode.BWRAP).build());
        assertThat(app.refusesSessions()).isFalse();

        HttpResponse<String> exec = withToken(session, "POST", "/process", EXEC);

        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
    }

    @Test
    void the_flag_alone_or_its_variable_allows_unisolated_sessions() {
        SettingsLoader loader = SettingsLoader.create(dataDir, dataDir);

        AppSettings byFlag = ((Invocation.Run) loader.load(java.util.List.of("--allow-unisolated-sessions"),
                java.util.Map.of())).settings();
        AppSettings byEnv = ((Invocation.Run) loader.load(java.util.List.of(),
                java.util.Map.of("SANDGATE_ALLOW_UNISOLATED_SESSIONS", "TRUE"))).settings();
        AppSettings byDefault = ((Invocation.Run) loader.load(java.util.List.of(), java.util.Map.of())).settings();

        assertThat(byFlag.allowUnisolatedSessions()).isTrue();
        assertThat(byEnv.allowUnisolatedSessions()).isTrue();
        assertThat(byDefault.allowUnisolatedSessions()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.load(
                        java.util.List.of("--allow-unisolated-sessions=maybe"), java.util.Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid allow-unisolated-sessions 'maybe'").hasMessageContaining("true or false");
    }
}
