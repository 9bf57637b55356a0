package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionOptionsTest {
    private static final Instant EXPIRY = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void the_builder_keeps_response_and_request_headers_apart_by_name() {
        SessionOptions options = SessionOptions.builder()
                .expiresAt(EXPIRY)
                .responseHeader("Access-Control-Allow-Origin", "https://app.example")
                .requestHeaders(Map.of("X-Forwarded-User", "ada"))
                .build();

        assertThat(options.expiresAt()).contains(EXPIRY);
        assertThat(options.responseHeaders().values()).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "https://app.example"));
        assertThat(options.requestHeaders().values()).containsExactly(Map.entry("X-Forwarded-User", "ada"));
    }

    @Test
    void a_header_added_again_replaces_the_one_of_the_same_name_ignoring_case() {
        SessionOptions options = SessionOptions.builder()
                .responseHeader("Access-Control-Allow-Origin", "https://old.example")
                .responseHeader("access-control-allow-origin", "https://new.example")
                .build();

        assertThat(options.responseHeaders().values()).containsExactly(
                Map.entry("access-control-allow-origin", "https://new.example"));
    }

    @Test
    void the_builder_starts_from_the_defaults_and_to_builder_from_the_options() {
        assertThat(SessionOptions.builder().build()).isEqualTo(SessionOptions.DEFAULTS);
        SessionOptions expiring = SessionOptions.expiringAt(EXPIRY);
        assertThat(expiring.toBuilder().responseHeader("X-A", "1").build())
                .isEqualTo(new SessionOptions(Optional.of(EXPIRY), HttpHeaders.of(Map.of("X-A", "1")), HttpHeaders.NONE));
    }

    @Test
    void a_header_that_could_split_a_response_is_refused_when_it_is_given() {
        assertThatThrownBy(() -> SessionOptions.builder().responseHeader("X-A", "a\r\nSet-Cookie: b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CR, LF or NUL");
    }
}
