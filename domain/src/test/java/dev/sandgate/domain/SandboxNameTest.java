package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class SandboxNameTest {
    @Test
    void name_of_63_characters_is_accepted() {
        String name = "a".repeat(63);

        assertThat(SandboxName.of(name).value()).isEqualTo(name);
    }

    @Test
    void name_of_64_characters_is_refused_and_named() {
        String name = "a".repeat(64);

        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of(name))
                .withMessageContaining("sandbox name '" + name + "'");
    }

    @Test
    void single_character_name_is_accepted() {
        assertThat(SandboxName.of("a").value()).isEqualTo("a");
    }

    @Test
    void digits_and_inner_hyphens_are_accepted() {
        assertThat(SandboxName.of("my-box-2").value()).isEqualTo("my-box-2");
    }

    @Test
    void empty_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of(""))
                .withMessageContaining("sandbox name ''");
    }

    @Test
    void uppercase_letters_are_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of("MyBox"))
                .withMessageContaining("'MyBox'");
    }

    @Test
    void leading_hyphen_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of("-box"))
                .withMessageContaining("'-box'");
    }

    @Test
    void trailing_hyphen_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of("box-"))
                .withMessageContaining("'box-'");
    }

    @Test
    void dots_and_underscores_are_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of("my_box.x"))
                .withMessageContaining("'my_box.x'");
    }

    @Test
    void null_name_is_refused_with_a_message() {
        assertThatNullPointerException().isThrownBy(() -> SandboxName.of(null))
                .withMessage("sandbox name must not be null");
    }

    @Test
    void control_characters_are_escaped_in_the_message() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of("box\nx"))
                .withMessageContaining("'box\\u000ax'")
                .withMessageNotContaining("\n");
    }

    @Test
    void a_very_long_bad_name_is_cut_in_the_message_with_its_length() {
        String name = "B".repeat(200);

        assertThatIllegalArgumentException().isThrownBy(() -> SandboxName.of(name))
                .withMessageContaining("B".repeat(80) + "…(200 chars)")
                .withMessageNotContaining("B".repeat(81));
    }

    @Test
    void to_string_is_the_bare_name() {
        assertThat(SandboxName.of("box")).hasToString("box");
    }
}
