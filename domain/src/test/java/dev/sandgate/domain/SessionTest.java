package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionTest {
    private static final Instant EXPIRY = Instant.parse("2026-11-24T09:00:06.632Z");
    private static final TokenValue SECRET = TokenValue.of("s3cr3t-t0ken-value-AAAA");
    private static final Duration HOUR = Duration.ofHours(1);

    private static Session session(Instant expiresAt) {
        return new Session(PreviewName.of("session-1795424406633"), "http://127.0.0.1:8080/s/box/session-1", SECRET,
                expiresAt);
    }

    @Test
    void expired_exactly_at_expiry_instant() {
        assertThat(session(EXPIRY).isExpiredAt(EXPIRY)).isTrue();
    }

    @Test
    void not_expired_one_millisecond_before_expiry() {
        assertThat(session(EXPIRY).isExpiredAt(EXPIRY.minusMillis(1))).isFalse();
    }

    @Test
    void expired_after_expiry() {
        assertThat(session(EXPIRY).isExpiredAt(EXPIRY.plusMillis(1))).isTrue();
    }

    @Test
    void no_renewal_when_expiry_is_exactly_now_plus_delta() {
        Instant now = EXPIRY.minus(HOUR);

        assertThat(session(EXPIRY).needsRenewal(now, HOUR)).isFalse();
    }

    @Test
    void renewal_when_expiry_is_one_millisecond_before_now_plus_delta() {
        Instant now = EXPIRY.minus(HOUR).plusMillis(1);

        assertThat(session(EXPIRY).needsRenewal(now, HOUR)).isTrue();
    }

    @Test
    void with_a_zero_delta_renewal_follows_expiry_strictly() {
        assertThat(session(EXPIRY).needsRenewal(EXPIRY, Duration.ZERO)).isFalse();
        assertThat(session(EXPIRY).needsRenewal(EXPIRY.plusMillis(1), Duration.ZERO)).isTrue();
    }

    @Test
    void negative_delta_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> session(EXPIRY).needsRenewal(EXPIRY, Duration.ofSeconds(-1)))
                .withMessageContaining("PT-1S");
    }

    @Test
    void default_renewal_delta_is_one_hour_and_default_lifetime_24_hours() {
        assertThat(Session.DEFAULT_RENEWAL_DELTA).isEqualTo(Duration.ofHours(1));
        assertThat(Session.DEFAULT_LIFETIME).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void to_string_never_contains_the_token() {
        assertThat(session(EXPIRY).toString())
                .doesNotContain(SECRET.value())
                .contains("session-1795424406633");
    }

    @Test
    void url_with_a_trailing_slash_is_refused_and_named() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Session(PreviewName.of("session-1"), "http://h/s/", SECRET, EXPIRY))
                .withMessageContaining("'http://h/s/'");
    }

    @Test
    void blank_url_is_refused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Session(PreviewName.of("session-1"), " ", SECRET, EXPIRY))
                .withMessageContaining("session url ' '");
    }
}
