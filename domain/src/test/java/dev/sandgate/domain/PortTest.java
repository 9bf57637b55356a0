package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class PortTest {
    @Test
    void port_0_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> Port.of(0))
                .withMessage("port 0 is out of range 1-65535");
    }

    @Test
    void port_1_is_accepted() {
        assertThat(Port.of(1).value()).isEqualTo(1);
    }

    @Test
    void port_65535_is_accepted() {
        assertThat(Port.of(65535).value()).isEqualTo(65535);
    }

    @Test
    void port_65536_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> Port.of(65536))
                .withMessage("port 65536 is out of range 1-65535");
    }

    @Test
    void negative_port_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> Port.of(-1))
                .withMessageContaining("port -1");
    }

    @Test
    void port_443_designates_the_sandbox_api() {
        assertThat(Port.of(443)).isEqualTo(Port.SANDBOX_API);
    }

    @Test
    void to_string_is_the_bare_number() {
        assertThat(Port.of(3000)).hasToString("3000");
    }
}
