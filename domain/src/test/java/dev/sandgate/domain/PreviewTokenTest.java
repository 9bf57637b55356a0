package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PreviewTokenTest {
    private static final Instant EXPIRY = Instant.parse("2026-11-24T09:00:00Z");
    private static final String SECRET = "tok3n-secret-value-0123";

    private static PreviewToken token() {
        return new PreviewToken(TokenName.of("token-1"), SandboxName.of("box"), PreviewName.of("web"),
                TokenValue.of(SECRET), EXPIRY);
    }

    @Test
    void to_string_never_contains_the_secret() {
        assertThat(token().toString()).doesNotContain(SECRET).contains("token-1", "box", "web");
    }

    @Test
    void expired_exactly_at_its_expiry() {
        assertThat(token().isExpiredAt(EXPIRY)).isTrue();
    }

    @Test
    void valid_one_millisecond_before_its_expiry() {
        assertThat(token().isExpiredAt(EXPIRY.minusMillis(1))).isFalse();
    }
}
