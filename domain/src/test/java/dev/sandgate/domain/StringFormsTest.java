package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The string forms of the specs name the same things as their typed forms, checked the same way. */
class StringFormsTest {
    @Test
    void a_sandbox_spec_from_a_string_is_the_one_from_its_name() {
        assertThat(SandboxSpec.of("box")).isEqualTo(SandboxSpec.of(SandboxName.of("box")));
        assertThatThrownBy(() -> SandboxSpec.of("../box")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_preview_spec_from_a_string_and_a_number_is_the_one_from_their_values() {
        assertThat(PreviewSpec.publicPort("web", 3000)).isEqualTo(PreviewSpec.publicPort(PreviewName.of("web"), Port.of(3000)));
        assertThat(PreviewSpec.privatePort("web", 3000))
                .isEqualTo(PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000)));
        assertThatThrownBy(() -> PreviewSpec.publicPort("web", 70000)).isInstanceOf(IllegalArgumentException.class);
    }
}
