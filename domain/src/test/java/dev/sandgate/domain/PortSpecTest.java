package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PortSpecTest {
    @Test
    void protocol_is_normalised_to_uppercase() {
        PortSpec spec = new PortSpec(Optional.empty(), Port.of(3000), "tcp");

        assertThat(spec.protocol()).isEqualTo("TCP");
    }

    @Test
    void protocol_other_than_http_or_tcp_is_refused_and_named() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PortSpec(Optional.empty(), Port.of(53), "udp"))
                .withMessageContaining("'UDP'");
    }

    @Test
    void invalid_port_name_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> PortSpec.http("bad name", 3000))
                .withMessageContaining("port name 'bad name'");
    }

    @Test
    void http_factory_names_an_http_port() {
        PortSpec spec = PortSpec.http("web", 3000);

        assertThat(spec.name()).contains("web");
        assertThat(spec.protocol()).isEqualTo("HTTP");
        assertThat(spec.target()).isEqualTo(Port.of(3000));
    }
}
