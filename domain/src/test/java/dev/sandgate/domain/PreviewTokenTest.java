package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewTokenTest {
    private static final Instant EXPIRY = Instant.parse("2026-11-24T09:00:00Z");
    private static final Instant NOW = EXPIRY.minusSeconds(3600);
    private static final String SECRET = "tok3n-secret-value-0123";

    private static PreviewToken token() {
        return new PreviewToken(TokenName.of("token-1"), SandboxName.of("box"), PreviewName.of("web"),
                TokenValue.of(SECRET), EXPIRY);
    }

    private static PreviewToken token(String name, Instant expiresAt) {
        return new PreviewToken(TokenName.of(name), SandboxName.of("box"), PreviewName.of("web"),
                TokenValue.of(SECRET), expiresAt);
    }

    /** {@code count} tokens named {@code <prefix>1..<prefix>count}, oldest first. */
    private static List<PreviewToken> tokens(String prefix, int count, Instant expiresAt) {
        List<PreviewToken> tokens = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            tokens.add(token(prefix + i, expiresAt));
        }
        return tokens;
    }

    private static List<String> names(List<PreviewToken> tokens) {
        return tokens.stream().map(t -> t.name().value()).toList();
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

    @Test
    void a_preview_keeps_at_most_ten_tokens() {
        assertThat(PreviewToken.MAX_PER_PREVIEW).isEqualTo(10);
    }

    @Test
    void nothing_is_evicted_while_a_preview_holds_fewer_than_the_cap() {
        List<PreviewToken> nine = tokens("t", PreviewToken.MAX_PER_PREVIEW - 1, EXPIRY);

        assertThat(PreviewToken.evictedToMakeRoom(nine, NOW)).isEmpty();
        assertThat(PreviewToken.evictedToMakeRoom(List.of(), NOW)).isEmpty();
    }

    @Test
    void a_preview_at_the_cap_evicts_its_oldest_live_token() {
        List<PreviewToken> ten = tokens("t", PreviewToken.MAX_PER_PREVIEW, EXPIRY);

        assertThat(names(PreviewToken.evictedToMakeRoom(ten, NOW))).containsExactly("t1");
    }

    @Test
    void expired_tokens_are_evicted_before_live_ones_oldest_first() {
        List<PreviewToken> held = new ArrayList<>();
        held.add(token("long-lived", EXPIRY));
        held.addAll(tokens("short", PreviewToken.MAX_PER_PREVIEW - 1, NOW.minusMillis(1)));

        assertThat(names(PreviewToken.evictedToMakeRoom(held, NOW))).containsExactly("short1");
    }

    @Test
    void a_token_expiring_exactly_now_counts_as_expired() {
        List<PreviewToken> held = new ArrayList<>(tokens("live", PreviewToken.MAX_PER_PREVIEW - 1, EXPIRY));
        held.add(token("ends-now", NOW));

        assertThat(names(PreviewToken.evictedToMakeRoom(held, NOW))).containsExactly("ends-now");
    }

    @Test
    void a_preview_over_the_cap_is_brought_back_to_room_for_one_more() {
        List<PreviewToken> held = new ArrayList<>(tokens("live", 11, EXPIRY));
        held.add(3, token("expired", NOW.minusSeconds(1)));

        assertThat(names(PreviewToken.evictedToMakeRoom(held, NOW))).containsExactly("expired", "live1", "live2");
    }

    @Test
    void the_evicted_list_is_immutable() {
        List<PreviewToken> evicted = PreviewToken.evictedToMakeRoom(
                tokens("t", PreviewToken.MAX_PER_PREVIEW, EXPIRY), NOW);

        assertThatThrownBy(() -> evicted.add(token())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void tokens_of_two_previews_are_refused() {
        List<PreviewToken> mixed = List.of(token("a", EXPIRY), new PreviewToken(TokenName.of("b"),
                SandboxName.of("box"), PreviewName.of("api"), TokenValue.of(SECRET), EXPIRY));

        assertThatThrownBy(() -> PreviewToken.evictedToMakeRoom(mixed, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token b of preview api in sandbox box is not a token of preview web in sandbox box");
    }

    @Test
    void null_arguments_are_refused_with_their_names() {
        assertThatThrownBy(() -> PreviewToken.evictedToMakeRoom(null, NOW))
                .isInstanceOf(NullPointerException.class).hasMessage("tokens must not be null");
        assertThatThrownBy(() -> PreviewToken.evictedToMakeRoom(List.of(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("now must not be null");
    }
}
