package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TokenNameTest {
    @Test
    void sdk_style_millis_name_is_accepted() {
        assertThat(TokenName.of("token-1795424406652")).hasToString("token-1795424406652");
    }

    @Test
    void uppercase_and_underscores_are_accepted() {
        assertThat(TokenName.of("Deploy_Key.1").value()).isEqualTo("Deploy_Key.1");
    }

    @Test
    void name_of_128_characters_is_accepted() {
        assertThat(TokenName.of("t".repeat(128)).value()).hasSize(128);
    }

    @Test
    void name_of_129_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenName.of("t".repeat(129)))
                .withMessageContaining("token name 'ttt");
    }

    @Test
    void name_starting_with_a_hyphen_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenName.of("-token"))
                .withMessageContaining("'-token'");
    }

    @Test
    void name_with_a_slash_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenName.of("a/b"))
                .withMessageContaining("'a/b'");
    }

    @Test
    void empty_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenName.of(""))
                .withMessageContaining("token name ''");
    }
}
