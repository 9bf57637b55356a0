package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionPolicyTest {
    @Test
    void the_default_is_what_a_builder_without_settings_builds() {
        assertThat(SessionPolicy.builder().build()).isEqualTo(SessionPolicy.DEFAULT);
        assertThat(SessionPolicy.DEFAULT.isDefault()).isTrue();
        assertThat(SessionPolicy.builder().subject("user-42").build().isDefault()).isFalse();
    }

    @Test
    void a_builder_keeps_every_term_and_to_builder_round_trips() {
        Instant max = Instant.parse("2026-12-02T12:00:00Z");
        SessionPolicy policy = SessionPolicy.builder()
                .scopes(SessionScopes.of(SessionScopes.Operation.FS_READ))
                .subject("user-42")
                .origins("https://App.Example:443", "http://localhost:5173", "https://app.example")
                .quotas(SessionQuotas.DEFAULTS.withRequestsPerSecond(20).withConcurrentExecs(2))
                .maxExpiresAt(max)
                .build();

        assertThat(policy.subject()).contains(SessionSubject.of("user-42"));
        assertThat(policy.origins()).extracting(WebOrigin::value)
                .containsExactly("https://app.example", "http://localhost:5173");
        assertThat(policy.quotas().requestsPerSecond()).contains(20);
        assertThat(policy.quotas().concurrentStreams()).isEmpty();
        assertThat(policy.maxExpiresAt()).contains(max);
        assertThat(policy.toBuilder().build()).isEqualTo(policy);
    }

    @Test
    void only_a_listed_origin_may_use_a_session_that_lists_any() {
        SessionPolicy bound = SessionPolicy.builder().origins("https://app.example").build();

        assertThat(bound.allowsOrigin(Optional.of("https://app.example"))).isTrue();
        assertThat(bound.allowsOrigin(Optional.of("https://evil.example"))).isFalse();
        assertThat(bound.allowsOrigin(Optional.of("https://app.example.evil.example"))).isFalse();
        assertThat(bound.allowsOrigin(Optional.empty())).isFalse();
        assertThat(SessionPolicy.DEFAULT.allowsOrigin(Optional.of("https://evil.example"))).isTrue();
    }

    @Test
    void an_origin_with_a_path_a_query_user_info_or_another_scheme_is_refused_saying_why() {
        assertThatThrownBy(() -> WebOrigin.of("https://app.example/page")).hasMessageContaining("scheme://host[:port]");
        assertThatThrownBy(() -> WebOrigin.of("https://user@app.example")).hasMessageContaining("scheme://host[:port]");
        assertThatThrownBy(() -> WebOrigin.of("https://app.example?x=1")).hasMessageContaining("scheme://host[:port]");
        assertThatThrownBy(() -> WebOrigin.of("javascript:alert(1)")).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> WebOrigin.of("not a url")).hasMessageContaining("not a URL");
        assertThat(WebOrigin.of("http://127.0.0.1:8080").value()).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void a_subject_with_control_characters_or_out_of_length_is_refused() {
        assertThatThrownBy(() -> SessionSubject.of("user\n42")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> SessionSubject.of("")).hasMessageContaining("1 to 128");
        assertThatThrownBy(() -> SessionSubject.of("x".repeat(129))).hasMessageContaining("1 to 128");
        assertThat(SessionSubject.of("alice@example.com").value()).isEqualTo("alice@example.com");
    }

    @Test
    void a_quota_out_of_range_is_refused_naming_it() {
        assertThatThrownBy(() -> SessionQuotas.DEFAULTS.withConcurrentStreams(0))
                .hasMessageContaining("concurrentStreams must be 1 to");
    }

    @Test
    void options_built_by_name_carry_every_term_into_the_policy() {
        SessionOptions options = SessionOptions.builder()
                .scopes(SessionScopes.of(SessionScopes.Operation.PROCESS_READ))
                .subject("user-7")
                .origins("https://app.example")
                .build();

        assertThat(options.policy().scopes().operations()).containsExactly(SessionScopes.Operation.PROCESS_READ);
        assertThat(options.policy().subject()).contains(SessionSubject.of("user-7"));
        assertThat(options.policy().origins()).containsExactly(WebOrigin.of("https://app.example"));
    }
}
