package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's Sandgate terms (scopes, subject, origins, quotas, renewal bound) minted through the Java client over
 * HTTP reach the broker's store and come back unchanged, and a broker restarted on the same data keeps them.
 */
class SessionPolicyOverHttpTest {
    @TempDir
    static Path dataDir;
    private static SandgateApp broker;

    @BeforeAll
    static void startBroker() {
        broker = start();
    }

    private static SandgateApp start() {
        return SandgateApp.start(TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true)
                .build(), Clock.systemUTC(), new SecureRandom());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static SandboxInstance sandbox(SandgateApp app, String name) {
        SandgateClient client = SandgateClient.builder().baseUrl(app.publicUrl() + "/v0")
                .workspace(app.settings().workspace()).apiKey(app.apiKey().value()).build();
        return Sandgate.create(client.gateway()).sandboxes().createIfNotExists(name);
    }

    @Test
    void every_term_minted_through_the_java_client_comes_back_from_the_broker_and_survives_its_restart() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SessionPolicy policy = SessionPolicy.builder()
                .scopes(SessionScopes.of(SessionScopes.Operation.FS_READ).withPaths("/app"))
                .subject("user-42")
                .origins("https://app.example", "http://localhost:5173")
                .quotas(SessionQuotas.DEFAULTS.withRequestsPerSecond(20).withConcurrentExecs(2)
                        .withConcurrentStreams(4))
                .maxExpiresAt(now.plus(Duration.ofHours(8)))
                .build();
        SandboxInstance box = sandbox(broker, "terms");
        Session session = box.sessions().create(SessionOptions.builder().expiresAt(now.plus(Duration.ofHours(1)))
                .policy(policy).build());

        assertThat(box.previews().get(session.name()).spec().policy()).isEqualTo(policy);

        broker.close();
        broker = start();
        assertThat(sandbox(broker, "terms").previews().get(session.name()).spec().policy()).isEqualTo(policy);
    }

    @Test
    void a_session_minted_without_terms_reads_back_as_the_default() {
        SandboxInstance box = sandbox(broker, "plain");
        Session session = box.sessions().create();

        assertThat(box.previews().get(session.name()).spec().policy()).isEqualTo(SessionPolicy.DEFAULT);
    }

    @Test
    void a_renewal_bound_before_the_session_would_end_is_refused_before_anything_is_sent() {
        Instant now = Instant.now();
        SandboxInstance box = sandbox(broker, "bounds");

        assertThatThrownBy(() -> box.sessions().create(SessionOptions.builder().expiresAt(now.plusSeconds(3600))
                .maxExpiresAt(now.plusSeconds(60)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxExpiresAt");
    }
}
