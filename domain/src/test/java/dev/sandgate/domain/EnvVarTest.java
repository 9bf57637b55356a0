package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class EnvVarTest {
    @Test
    void underscore_first_name_is_accepted() {
        assertThat(new EnvVar("_PRIVATE_1", "x").name()).isEqualTo("_PRIVATE_1");
    }

    @Test
    void name_of_256_characters_is_accepted() {
        assertThat(new EnvVar("V".repeat(256), "x").name()).hasSize(256);
    }

    @Test
    void name_of_257_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new EnvVar("V".repeat(257), "x"))
                .withMessageContaining("environment variable name 'VVV");
    }

    @Test
    void name_with_a_hyphen_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> new EnvVar("MY-VAR", "x"))
                .withMessageContaining("'MY-VAR'");
    }

    @Test
    void empty_value_is_accepted() {
        assertThat(new EnvVar("EMPTY", "").value()).isEmpty();
    }

    @Test
    void value_with_a_nul_is_refused_naming_the_variable() {
        assertThatIllegalArgumentException().isThrownBy(() -> new EnvVar("TOKEN", "a\0b"))
                .withMessage("value of environment variable TOKEN contains a NUL character");
    }
}
