package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TokenValueTest {
    private static final String SECRET = "Abc_def-0123456789xyz";

    @Test
    void to_string_never_shows_the_secret() {
        assertThat(TokenValue.of(SECRET).toString()).doesNotContain(SECRET).isEqualTo("TokenValue[***]");
    }

    @Test
    void matches_the_same_secret() {
        assertThat(TokenValue.of(SECRET).matches(SECRET)).isTrue();
    }

    @Test
    void does_not_match_a_secret_differing_in_the_last_character() {
        assertThat(TokenValue.of(SECRET).matches(SECRET.substring(0, SECRET.length() - 1) + "Z")).isFalse();
    }

    @Test
    void does_not_match_a_prefix() {
        assertThat(TokenValue.of(SECRET).matches(SECRET.substring(0, 16))).isFalse();
    }

    @Test
    void does_not_match_null() {
        assertThat(TokenValue.of(SECRET).matches(null)).isFalse();
    }

    @Test
    void equal_values_are_equal_with_the_same_hash() {
        assertThat(TokenValue.of(SECRET)).isEqualTo(TokenValue.of(SECRET)).hasSameHashCodeAs(TokenValue.of(SECRET));
    }

    @Test
    void sixteen_characters_are_accepted() {
        assertThat(TokenValue.of("a".repeat(16)).matches("a".repeat(16))).isTrue();
    }

    @Test
    void fifteen_characters_are_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenValue.of("a".repeat(15)))
                .withMessageContaining("16-512");
    }

    @Test
    void five_hundred_twelve_characters_are_accepted() {
        assertThat(TokenValue.of("a".repeat(512)).matches("a".repeat(512))).isTrue();
    }

    @Test
    void five_hundred_thirteen_characters_are_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenValue.of("a".repeat(513)));
    }

    @Test
    void a_refused_value_is_never_echoed_in_the_message() {
        String almostSecret = "real-secret-with-a-typo!";

        assertThatIllegalArgumentException().isThrownBy(() -> TokenValue.of(almostSecret))
                .withMessageNotContaining(almostSecret)
                .withMessageNotContaining("real-secret");
    }

    @Test
    void only_the_url_safe_alphabet_has_a_tokens_shape() {
        for (char c = 0; c < 0x3000; c++) {
            boolean urlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".indexOf(c) >= 0;
            String presented = "a".repeat(15) + c;

            assertThat(TokenValue.isShaped(presented)).as("U+%04X", (int) c).isEqualTo(urlSafe);
            assertThat(TokenValue.isShaped(c + "a".repeat(15))).as("U+%04X first", (int) c).isEqualTo(urlSafe);
        }
    }

    @Test
    void nothing_but_a_value_of_16_to_512_characters_has_a_tokens_shape() {
        assertThat(TokenValue.isShaped(null)).isFalse();
        assertThat(TokenValue.isShaped("")).isFalse();
        assertThat(TokenValue.isShaped("a".repeat(15))).isFalse();
        assertThat(TokenValue.isShaped("a".repeat(16))).isTrue();
        assertThat(TokenValue.isShaped("a".repeat(512))).isTrue();
        assertThat(TokenValue.isShaped("a".repeat(513))).isFalse();
        assertThat(TokenValue.parse("a".repeat(15) + " ")).isEmpty();
    }
}
