package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:06.633Z");
    private static final long MILLIS = T0.toEpochMilli();
    private static final Duration HOUR = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final SandboxInstance sandbox = Sandgate.create(gateway, clock).sandboxes()
            .create(SandboxSpec.of(SandboxName.of("box")));
    private final Sessions sessions = sandbox.sessions();

    @AfterEach
    void close() {
        gateway.close();
    }

    private Session expiringAt(Instant expiresAt) {
        return sessions.create(SessionOptions.expiringAt(expiresAt));
    }

    @Test
    void session_is_named_after_the_clocks_millis() {
        Session session = sessions.create(SessionOptions.DEFAULTS);

        assertThat(session.name()).isEqualTo(PreviewName.of("session-" + MILLIS));
    }

    @Test
    void session_token_is_named_after_the_same_millis() {
        Session session = sessions.create(SessionOptions.DEFAULTS);

        assertThat(gateway.listTokens(sandbox.name(), session.name())).extracting(t -> t.name())
                .containsExactly(TokenName.of("token-" + MILLIS));
    }

    @Test
    void second_session_in_the_same_millisecond_takes_the_next_millis() {
        sessions.create(SessionOptions.DEFAULTS);

        Session second = sessions.create(SessionOptions.DEFAULTS);

        assertThat(second.name()).isEqualTo(PreviewName.of("session-" + (MILLIS + 1)));
    }

    @Test
    void sixth_session_in_the_same_millisecond_is_a_conflict_naming_the_sandbox() {
        for (int i = 0; i < 5; i++) {
            sessions.create(SessionOptions.DEFAULTS);
        }

        assertThatThrownBy(() -> sessions.create(SessionOptions.DEFAULTS))
                .isInstanceOf(SandgateException.Conflict.class)
                .hasMessageContaining("box");
    }

    @Test
    void default_expiry_is_exactly_24_hours_after_now() {
        Session session = sessions.create(SessionOptions.DEFAULTS);

        assertThat(session.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(24)));
    }

    @Test
    void preview_of_a_session_is_private_on_port_443_and_expires_with_it() {
        Session session = expiringAt(T0.plus(HOUR));

        Preview preview = sandbox.previews().get(session.name());
        assertThat(preview.port()).isEqualTo(Port.SANDBOX_API);
        assertThat(preview.isPublic()).isFalse();
        assertThat(preview.expires()).contains(T0.plus(HOUR));
    }

    @Test
    void a_session_is_got_and_deleted_by_its_name_as_a_string_too() {
        Session session = sessions.create();

        assertThat(sessions.get(session.name().value())).isEqualTo(sessions.get(session.name()));
        sessions.delete(session.name().value());
        assertThat(sessions.list()).isEmpty();
    }

    @Test
    void session_headers_are_set_on_its_preview() {
        HttpHeaders cors = HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example"));
        HttpHeaders forwarded = HttpHeaders.of(Map.of("X-Tenant", "t1"));

        Session session = sessions.create(SessionOptions.builder()
                .expiresAt(T0.plus(HOUR)).responseHeaders(cors).requestHeaders(forwarded).build());

        Preview preview = sandbox.previews().get(session.name());
        assertThat(preview.spec().responseHeaders()).isEqualTo(cors);
        assertThat(preview.spec().requestHeaders()).isEqualTo(forwarded);
    }

    @Test
    void create_if_expired_reuses_a_session_expiring_exactly_at_now_plus_delta() {
        Session session = expiringAt(T0.plus(Duration.ofHours(5)));
        clock.set(session.expiresAt().minus(HOUR));

        Session result = sessions.createIfExpired(SessionOptions.DEFAULTS, HOUR);

        assertThat(result).isEqualTo(session);
    }

    @Test
    void create_if_expired_renews_a_session_expiring_one_millisecond_before_now_plus_delta() {
        Session session = expiringAt(T0.plus(Duration.ofHours(5)));
        clock.set(session.expiresAt().minus(HOUR).plusMillis(1));

        Session result = sessions.createIfExpired(SessionOptions.DEFAULTS, HOUR);

        assertThat(result.name()).isNotEqualTo(session.name());
        assertThat(result.expiresAt()).isEqualTo(clock.instant().plus(Session.DEFAULT_LIFETIME));
    }

    @Test
    void create_if_expired_deletes_the_session_it_renews() {
        Session session = expiringAt(T0.plus(Duration.ofMinutes(30)));
        clock.advance(Duration.ofMillis(1));

        sessions.createIfExpired(SessionOptions.DEFAULTS, HOUR);

        assertThat(gateway.findPreview(sandbox.name(), session.name())).isEmpty();
    }

    @Test
    void create_if_expired_uses_a_one_hour_delta_by_default() {
        Session session = expiringAt(T0.plus(HOUR));

        assertThat(sessions.createIfExpired(SessionOptions.DEFAULTS)).isEqualTo(session);
        clock.advance(Duration.ofMillis(1));
        assertThat(sessions.createIfExpired(SessionOptions.DEFAULTS).name()).isNotEqualTo(session.name());
    }

    @Test
    void create_if_expired_creates_a_session_when_there_is_none() {
        Session session = sessions.createIfExpired(SessionOptions.DEFAULTS, HOUR);

        assertThat(sessions.list()).containsExactly(session);
    }

    @Test
    void create_if_expired_looks_only_at_the_latest_expiring_session() {
        expiringAt(T0.plus(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMillis(1));
        Session lasting = expiringAt(T0.plus(Duration.ofHours(10)));

        assertThat(sessions.createIfExpired(SessionOptions.DEFAULTS, HOUR)).isEqualTo(lasting);
    }

    @Test
    void sessions_are_listed_latest_expiry_first() {
        Session soon = expiringAt(T0.plus(Duration.ofHours(1)));
        Session late = expiringAt(T0.plus(Duration.ofHours(3)));
        Session middle = expiringAt(T0.plus(Duration.ofHours(2)));

        assertThat(sessions.list()).containsExactly(late, middle, soon);
    }

    @Test
    void previews_without_session_in_their_name_are_not_sessions() {
        sandbox.previews().create(PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000)));

        assertThat(sessions.list()).isEmpty();
    }

    @Test
    void a_session_preview_without_a_token_is_not_listed() {
        sandbox.previews().create(PreviewSpec.privatePort(PreviewName.of("session-1"), Port.SANDBOX_API));

        assertThat(sessions.list()).isEmpty();
    }

    @Test
    void getting_a_session_preview_without_a_token_is_not_found() {
        sandbox.previews().create(PreviewSpec.privatePort(PreviewName.of("session-1"), Port.SANDBOX_API));

        assertThatThrownBy(() -> sessions.get(PreviewName.of("session-1")))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessageContaining("session-1 has no token");
    }

    @Test
    void getting_an_unknown_session_is_not_found_naming_it_and_the_sandbox() {
        assertThatThrownBy(() -> sessions.get(PreviewName.of("session-42")))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("session session-42 not found in sandbox box");
    }

    @Test
    void deleted_session_is_gone_with_its_token() {
        Session session = sessions.create(SessionOptions.DEFAULTS);

        sessions.delete(session.name());

        assertThat(gateway.findPreview(sandbox.name(), session.name())).isEmpty();
        assertThat(sessions.list()).isEmpty();
    }
}
