package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revoke-all through the broker over HTTP ({@code POST /v0/sandboxes/{sb}/sessions/revoke}) and through the Java
 * client: every session of a sandbox, or of one subject, issued before the call stops at once, its open streams
 * within a second; the others and the ones minted afterwards keep working; a session cannot call it.
 */
class RevokeAllOverHttpTest {
    /** The stream check runs every 250 ms by default; a second is the promise, the rest is a loaded machine's slack. */
    private static final Duration STREAM_ENDS_WITHIN = Duration.ofSeconds(3);

    @TempDir
    static Path dataDir;
    private static SandgateApp broker;
    private static SessionHttp http;

    @BeforeAll
    static void startBroker() {
        broker = SandgateApp.start(TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true)
                .build(), Clock.systemUTC(), new SecureRandom());
        http = new SessionHttp(broker);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Session session(SandboxInstance box, String subject) {
        return box.sessions().create(SessionOptions.builder().subject(subject).build());
    }

    private static HttpResponse<String> revoke(String sandbox, String body) {
        return http.withKey("POST", "/v0/sandboxes/" + sandbox + "/sessions/revoke", body);
    }

    @Test
    void a_session_of_the_revoked_subject_is_refused_at_once_even_with_an_open_log_stream() throws Exception {
        SandboxInstance box = http.sandbox("revoke-subject");
        Session revoked = session(box, "user-42");
        Session other = session(box, "user-7");
        String pid = http.sleeper(revoked);
        SessionHttp.Reading logs = http.logStream(revoked, pid);
        assertThat(http.probe(revoked)).isEqualTo(200);

        HttpResponse<String> answer = revoke("revoke-subject", "{\"subject\":\"user-42\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"revoked\":1");
        assertThat(http.probe(revoked)).as("refused by the very next request").isEqualTo(401);
        logs.ended().get(STREAM_ENDS_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(logs.last()).containsAnyOf("closed", "revoked", "deleted");
        assertThat(http.probe(other)).as("another subject's session").isEqualTo(200);
    }

    @Test
    void revoking_every_session_through_the_java_client_counts_them_and_a_session_minted_afterwards_works() {
        SandboxInstance box = http.sandbox("revoke-all");
        Session first = box.sessions().create();
        Session second = session(box, "user-1");
        Session expired = box.sessions().create(SessionOptions.expiringAt(java.time.Instant.now().minusSeconds(1)));

        int count = box.sessions().revokeAll();

        assertThat(count).as("the live ones").isEqualTo(2);
        assertThat(http.probe(first)).isEqualTo(401);
        assertThat(http.probe(second)).isEqualTo(401);
        assertThat(box.sessions().list()).isEmpty();
        Session after = box.sessions().create();
        assertThat(http.probe(after)).isEqualTo(200);
        assertThat(box.sessions().revokeAll("nobody")).isZero();
        assertThat(http.probe(after)).isEqualTo(200);
        assertThat(expired.name()).isNotEqualTo(after.name());
    }

    @Test
    void a_session_token_cannot_revoke_sessions_not_even_its_own_sandbox_s() {
        SandboxInstance box = http.sandbox("revoke-by-token");
        Session session = box.sessions().create();
        String route = http.base + "/v0/sandboxes/revoke-by-token/sessions/revoke";

        HttpResponse<String> asHeader = http.withToken("POST", route, session.token().value(), "{}");
        HttpResponse<String> asBearer = send(HttpRequest.newBuilder(URI.create(route))
                .header("x-blaxel-authorization", "Bearer " + session.token().value())
                .header("Authorization", "Bearer " + session.token().value())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(asHeader.statusCode()).isIn(401, 403);
        assertThat(asBearer.statusCode()).isIn(401, 403);
        assertThat(http.probe(session)).isEqualTo(200);
    }

    @Test
    void a_bad_subject_or_an_unknown_sandbox_is_a_4xx_json_error() {
        http.sandbox("revoke-bad");

        HttpResponse<String> number = revoke("revoke-bad", "{\"subject\":42}");
        HttpResponse<String> tooLong = revoke("revoke-bad", "{\"subject\":\"" + "x".repeat(200) + "\"}");
        HttpResponse<String> unknown = revoke("no-such-box", "");

        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(number.body()).contains("subject");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("subject");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{");
    }

    @Test
    void one_call_revokes_the_subject_s_sessions_in_every_sandbox_and_no_one_else_s() {
        SandboxInstance one = http.sandbox("revoke-everywhere-1");
        SandboxInstance two = http.sandbox("revoke-everywhere-2");
        Session inOne = session(one, "user-everywhere");
        Session inTwo = session(two, "user-everywhere");
        Session bob = session(two, "user-bob");

        HttpResponse<String> answer = http.withKey("POST", "/v0/sessions/revoke", "{\"subject\":\"user-everywhere\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"revoked\":2");
        assertThat(http.probe(inOne)).isEqualTo(401);
        assertThat(http.probe(inTwo)).isEqualTo(401);
        assertThat(http.probe(bob)).isEqualTo(200);
        // the Java API does the same, sandbox by sandbox
        Session again = session(one, "user-everywhere");
        assertThat(Sandgate.create(http.client().gateway()).sandboxes().revokeSessionsOf("user-everywhere"))
                .isEqualTo(1);
        assertThat(http.probe(again)).isEqualTo(401);
    }

    @Test
    void the_workspace_wide_revoke_needs_a_subject_and_refuses_a_session_token() {
        Session session = http.sandbox("revoke-everywhere-3").sessions().create();

        HttpResponse<String> none = http.withKey("POST", "/v0/sessions/revoke", "{}");
        HttpResponse<String> byToken = http.withToken("POST", http.base + "/v0/sessions/revoke",
                session.token().value(), "{\"subject\":\"user-1\"}");

        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("subject is required");
        assertThat(byToken.statusCode()).isIn(401, 403);
        assertThat(http.probe(session)).isEqualTo(200);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return http.http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
