package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revoke-all and renewal in place across two brokers on one real redis-server (the same token key file and API key;
 * each broker runs its own sandbox of the same name, as a session's records are shared): revoked through A, B refuses
 * the session within a second, although it had just served it from its cache, and ends the log stream B had opened
 * with it; renewed through A, B sees the new expiry and keeps serving the same token past the old one.
 */
class SessionsAcrossRedisBrokersTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final Duration WITHIN = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private SandgateApp a;
    private SandgateApp b;
    private SessionHttp httpA;
    private SessionHttp httpB;

    private SandgateApp broker(String name, String key) {
        List<String> flags = List.of("--data-dir=" + dir.resolve(name), "--isolation=none", "--port=0",
                "--store=redis", "--redis-url=" + REDIS.url(2), "--token-key-file=" + dir.resolve("cluster/token.key"),
                "--api-key=" + key, "--allow-unisolated-sessions=true");
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, Map.of())).settings();
        return SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
    }

    @BeforeEach
    void start() {
        String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        a = broker("a", key);
        b = broker("b", key);
        httpA = new SessionHttp(a);
        httpB = new SessionHttp(b);
    }

    @AfterEach
    void stop() {
        b.close();
        a.close();
    }

    @Test
    void a_subject_revoked_through_one_broker_is_refused_by_the_other_within_a_second_with_its_stream_ended()
            throws Exception {
        SandboxInstance boxA = httpA.sandbox("shared");
        httpB.sandbox("shared"); // before any session: creating a sandbox clears its records
        Session revoked = boxA.sessions().create(SessionOptions.builder().subject("user-42").build());
        Session other = boxA.sessions().create(SessionOptions.builder().subject("user-7").build());
        String pid = httpB.sleeper(revoked);
        SessionHttp.Reading logs = httpB.logStream(revoked, pid);
        assertThat(httpB.probe(revoked)).as("B serves it, and now holds it verified in memory").isEqualTo(200);

        HttpResponse<String> answer = httpA.withKey("POST", "/v0/sandboxes/shared/sessions/revoke",
                "{\"subject\":\"user-42\"}");
        long revokedAt = System.nanoTime();

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"revoked\":1");
        Eventually.await("B refusing the revoked session", WITHIN, () -> httpB.probe(revoked) == 401);
        logs.ended().get(WITHIN.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        Duration streamEnded = Duration.ofNanos(System.nanoTime() - revokedAt);
        assertThat(logs.last()).containsAnyOf("closed", "revoked", "deleted");
        assertThat(streamEnded).as("the stream on B ended after %s", streamEnded)
                .isLessThanOrEqualTo(WITHIN.plusSeconds(1)); // the promise plus a loaded machine's slack
        assertThat(httpB.probe(other)).isEqualTo(200);
        Session after = boxA.sessions().create(SessionOptions.builder().subject("user-42").build());
        assertThat(httpB.probe(after)).as("a session minted after the revoke").isEqualTo(200);
    }

    @Test
    void a_session_renewed_through_one_broker_is_served_by_the_other_past_its_old_expiry() {
        SandboxInstance boxA = httpA.sandbox("renewed");
        SandboxInstance boxB = httpB.sandbox("renewed");
        Instant now = Instant.now();
        Instant oldExpiry = now.plusSeconds(3);
        Session session = boxA.sessions().create(SessionOptions.builder().expiresAt(oldExpiry)
                .maxExpiresAt(now.plus(Duration.ofHours(1))).build());
        assertThat(httpB.probe(session)).as("B serves it, and now holds it verified in memory").isEqualTo(200);

        Session renewed = boxA.sessions().renew(session.name(), now.plus(Duration.ofMinutes(30)));

        assertThat(renewed.token()).isEqualTo(session.token());
        assertThat(renewed.expiresAt()).isEqualTo(now.plus(Duration.ofMinutes(30)));
        assertThat(boxB.previews().get(session.name()).expires()).contains(renewed.expiresAt());
        Eventually.await("the old expiry passing", Duration.ofSeconds(10),
                () -> Instant.now().isAfter(oldExpiry.plusMillis(500)));
        assertThat(httpB.probe(session)).as("the same token, past its old expiry, at B").isEqualTo(200);
    }
}
