package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.SandgateException;
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
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewal in place through the broker over HTTP ({@code POST /v0/sandboxes/{sb}/sessions/{session}/renew}) and
 * through the Java client: a live session's expiry moves forward within its {@code maxExpiresAt}, its token stays
 * the same, and a log stream open across the renewal keeps delivering after the old expiry has passed.
 */
class RenewInPlaceOverHttpTest {
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

    private static HttpResponse<String> renew(String sandbox, String session, String body) {
        return http.withKey("POST", "/v0/sandboxes/" + sandbox + "/sessions/" + session + "/renew", body);
    }

    @Test
    void a_log_stream_open_across_a_renewal_keeps_delivering_after_the_old_expiry_has_passed() {
        SandboxInstance box = http.sandbox("renew-stream");
        Instant now = Instant.now();
        Instant oldExpiry = now.plusSeconds(4);
        Session session = box.sessions().create(SessionOptions.builder().expiresAt(oldExpiry)
                .maxExpiresAt(now.plus(Duration.ofHours(2))).build());
        String pid = http.withToken("POST", session.url() + "/process", session.token().value(),
                "{\"command\":\"while true; do echo tick; sleep 0.2; done\"}").body()
                .replaceAll("(?s).*\"pid\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        SessionHttp.Reading logs = http.logStream(session, pid);
        Eventually.await("a first line", Duration.ofSeconds(10), () -> logs.lines().stream()
                .anyMatch(l -> l.contains("tick")));
        String renewedTo = now.plus(Duration.ofHours(1)).toString();

        HttpResponse<String> answer = renew("renew-stream", session.name().value(), "{\"expiresAt\":\"" + renewedTo
                + "\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"expires\":\"" + renewedTo + "\"");
        Eventually.await("the old expiry passing, with a check of open streams after it", Duration.ofSeconds(15),
                () -> Instant.now().isAfter(oldExpiry.plusSeconds(1)));
        int seen = logs.lines().size();
        Eventually.await("more lines after the old expiry", Duration.ofSeconds(10),
                () -> logs.lines().size() > seen + 2);
        assertThat(logs.ended()).as("the stream is still open").isNotDone();
        assertThat(logs.lines()).noneMatch(l -> l.contains("closed"));
        assertThat(http.probe(session)).as("the same token, past its old expiry").isEqualTo(200);
    }

    @Test
    void a_renewal_through_the_java_client_keeps_the_token_and_is_clamped_to_the_session_s_bound() {
        SandboxInstance box = http.sandbox("renew-clamp");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant max = now.plus(Duration.ofHours(2));
        Session session = box.sessions().create(SessionOptions.builder().expiresAt(now.plus(Duration.ofHours(1)))
                .maxExpiresAt(max).build());

        Session renewed = box.sessions().renew(session.name(), now.plus(Duration.ofHours(5)));

        assertThat(renewed.token()).isEqualTo(session.token());
        assertThat(renewed.name()).isEqualTo(session.name());
        assertThat(renewed.expiresAt()).as("clamped to maxExpiresAt").isEqualTo(max);
        assertThat(box.previews().get(session.name()).expires()).contains(max);
        assertThat(box.sessions().renew(session.name(), now.plus(Duration.ofMinutes(10))).expiresAt())
                .as("never shortened").isEqualTo(max);
        assertThat(http.probe(renewed)).isEqualTo(200);
    }

    @Test
    void renew_if_expired_keeps_the_token_when_the_session_allows_it_and_create_if_expired_still_replaces_it() {
        SandboxInstance box = http.sandbox("renew-if-expired");
        Instant now = Instant.now();
        SessionOptions options = SessionOptions.builder().expiresAt(now.plus(Duration.ofMinutes(30)))
                .maxExpiresAt(now.plus(Duration.ofHours(6))).build();
        Session session = box.sessions().create(options);
        SessionOptions longer = options.toBuilder().expiresAt(now.plus(Duration.ofHours(3))).build();

        Session kept = box.sessions().renewIfExpired(longer);

        assertThat(kept.token()).isEqualTo(session.token());
        assertThat(kept.expiresAt()).isEqualTo(now.plus(Duration.ofHours(3)));
        Session replaced = box.sessions().createIfExpired(longer, Duration.ofHours(4));
        assertThat(replaced.token()).as("createIfExpired as the SDK defines it").isNotEqualTo(session.token());
        assertThat(http.probe(session)).isEqualTo(401);
    }

    @Test
    void a_session_without_a_bound_is_not_renewable_in_place_and_an_expired_one_is_gone() {
        SandboxInstance box = http.sandbox("renew-refused");
        Instant now = Instant.now();
        Session plain = box.sessions().create(SessionOptions.expiringAt(now.plus(Duration.ofHours(1))));
        Session expired = box.sessions().create(SessionOptions.builder().expiresAt(now.minusSeconds(1))
                .maxExpiresAt(now.plus(Duration.ofHours(1))).build());
        String later = "{\"expiresAt\":\"" + now.plus(Duration.ofHours(2)) + "\"}";

        HttpResponse<String> unbounded = renew("renew-refused", plain.name().value(), later);
        HttpResponse<String> gone = renew("renew-refused", expired.name().value(), later);
        HttpResponse<String> missing = renew("renew-refused", plain.name().value(), "{}");
        HttpResponse<String> malformed = renew("renew-refused", plain.name().value(), "{\"expiresAt\":\"soon\"}");
        HttpResponse<String> past = renew("renew-refused", plain.name().value(), "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}");

        assertThat(unbounded.statusCode()).isEqualTo(422);
        assertThat(unbounded.body()).contains("not renewable in place");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("expired");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("expiresAt");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(past.statusCode()).isIn(400, 422);
        assertThatThrownBy(() -> box.sessions().renew(plain.name(), now.plus(Duration.ofHours(2))))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("not renewable in place");
    }

    @Test
    void a_session_token_cannot_renew_its_own_session() {
        SandboxInstance box = http.sandbox("renew-by-token");
        Instant now = Instant.now();
        Session session = box.sessions().create(SessionOptions.builder().expiresAt(now.plus(Duration.ofHours(1)))
                .maxExpiresAt(now.plus(Duration.ofHours(8))).build());

        HttpResponse<String> byToken = http.withToken("POST", http.base + "/v0/sandboxes/renew-by-token/sessions/"
                + session.name().value() + "/renew", session.token().value(), "{\"expiresAt\":\""
                + now.plus(Duration.ofHours(8)) + "\"}");

        assertThat(byToken.statusCode()).isIn(401, 403);
        assertThat(box.sessions().get(session.name()).expiresAt()).isEqualTo(session.expiresAt());
    }
}
