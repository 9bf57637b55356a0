package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ProcessNameTest {
    @Test
    void letters_digits_dots_underscores_and_hyphens_are_accepted() {
        assertThat(ProcessName.of("Web_server.v2-x").value()).isEqualTo("Web_server.v2-x");
    }

    @Test
    void all_digit_name_is_refused_because_it_would_be_read_as_a_pid() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessName.of("12345"))
                .withMessageContaining("'12345'")
                .withMessageContaining("pid");
    }

    @Test
    void digits_with_one_letter_are_accepted() {
        assertThat(ProcessName.of("1234a").value()).isEqualTo("1234a");
    }

    @Test
    void name_of_128_characters_is_accepted() {
        assertThat(ProcessName.of("n".repeat(128)).value()).hasSize(128);
    }

    @Test
    void name_of_129_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessName.of("n".repeat(129)))
                .withMessageContaining("process name 'nnnn");
    }

    @Test
    void name_starting_with_a_dot_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessName.of(".hidden"))
                .withMessageContaining("'.hidden'");
    }

    @Test
    void name_with_a_space_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessName.of("my proc"))
                .withMessageContaining("'my proc'");
    }

    @Test
    void empty_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessName.of(""))
                .withMessageContaining("process name ''");
    }
}
