package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class PreviewNameTest {
    @Test
    void name_of_63_characters_is_accepted() {
        assertThat(PreviewName.of("p".repeat(63)).value()).hasSize(63);
    }

    @Test
    void name_of_64_characters_is_refused_and_named() {
        String name = "p".repeat(64);

        assertThatIllegalArgumentException().isThrownBy(() -> PreviewName.of(name))
                .withMessageContaining("preview name '" + name + "'");
    }

    @Test
    void empty_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> PreviewName.of(""))
                .withMessageContaining("preview name ''");
    }

    @Test
    void uppercase_letters_are_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> PreviewName.of("Web"))
                .withMessageContaining("'Web'");
    }

    @Test
    void leading_hyphen_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> PreviewName.of("-web"))
                .withMessageContaining("'-web'");
    }

    @Test
    void trailing_hyphen_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> PreviewName.of("web-"))
                .withMessageContaining("'web-'");
    }

    @Test
    void session_millis_name_fits_the_rule_and_is_a_session_name() {
        PreviewName name = PreviewName.of(PreviewName.SESSION_PREFIX + 1795424406633L);

        assertThat(name.isSessionName()).isTrue();
    }

    @Test
    void a_name_containing_session_anywhere_is_a_session_name_as_the_wire_protocol_tests_it() {
        assertThat(PreviewName.of("my-session-1").isSessionName()).isTrue();
    }

    @Test
    void an_ordinary_name_is_not_a_session_name() {
        assertThat(PreviewName.of("sessions").isSessionName()).isFalse();
    }
}
