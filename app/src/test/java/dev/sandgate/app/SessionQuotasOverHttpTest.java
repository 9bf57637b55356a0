package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the Java client, a session over its quota gets a {@link SandgateException.QuotaExceeded} that names the
 * quota and how long to wait, and is served again once what it held is given back (here: its process exited).
 */
class SessionQuotasOverHttpTest {
    @TempDir
    static Path dataDir;
    private static SandgateApp broker;

    @BeforeAll
    static void startBroker() {
        broker = SandgateApp.start(TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true)
                .build(), Clock.systemUTC(), new SecureRandom());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void a_session_over_its_running_processes_gets_quota_exceeded_with_the_wait_and_is_served_once_one_exits() {
        SandgateClient backend = SandgateClient.builder().baseUrl(broker.publicUrl() + "/v0")
                .workspace(broker.settings().workspace()).apiKey(broker.apiKey().value()).build();
        SandboxInstance box = Sandgate.create(backend.gateway()).sandboxes().createIfNotExists("quotas");
        Session session = box.sessions().create(SessionOptions.builder()
                .expiresAt(Instant.now().plus(Duration.ofHours(1)))
                .quotas(SessionQuotas.DEFAULTS.withConcurrentExecs(1)).build());
        SessionSandbox browser = Sandgate.fromSession(session, SandgateClient.builder()
                .baseUrl(broker.publicUrl() + "/v0").build().sessionConnector());

        ProcessInfo first = browser.process().exec(ProcessSpec.of("sleep 300"));

        assertThatThrownBy(() -> browser.process().exec(ProcessSpec.of("sleep 300")))
                .isInstanceOfSatisfying(SandgateException.QuotaExceeded.class, e -> {
                    assertThat(e.quota()).contains("concurrentExecs");
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(e.getMessage()).contains("429").contains("QUOTA_EXCEEDED");
                });

        box.process().kill(first.pid());
        Eventually.await("the session may exec again once its process exited", Duration.ofSeconds(20), () -> {
            try {
                browser.process().exec(ProcessSpec.of("echo again"));
                return true;
            } catch (SandgateException.QuotaExceeded stillHeld) {
                return false;
            }
        });
    }
}
