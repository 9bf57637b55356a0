package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleSettingsTest {
    @Test
    void defaults_are_port_3001_app_port_3000_and_sandbox_example() {
        assertThat(ExampleSettings.fromEnv(Map.of())).isEqualTo(new ExampleSettings(3001, 3000, "example"));
    }

    @Test
    void the_environment_sets_every_value_and_port_0_means_any_free_port() {
        assertThat(ExampleSettings.fromEnv(Map.of("EXAMPLE_PORT", "0", "EXAMPLE_APP_PORT", " 4000 ",
                "EXAMPLE_SANDBOX", "demo"))).isEqualTo(new ExampleSettings(0, 4000, "demo"));
    }

    @Test
    void a_port_that_is_not_a_number_is_refused_with_its_variable_name() {
        assertThatThrownBy(() -> ExampleSettings.fromEnv(Map.of("EXAMPLE_APP_PORT", "http")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EXAMPLE_APP_PORT 'http' is not a port number");
    }

    @Test
    void the_app_port_cannot_be_443_which_names_the_sandbox_api() {
        assertThatThrownBy(() -> ExampleSettings.fromEnv(Map.of("EXAMPLE_APP_PORT", "443")))
                .hasMessageContaining("443 means the sandbox API");
    }

    @Test
    void the_page_origin_is_the_loopback_address_and_the_port() {
        assertThat(ExampleSettings.origin(3001)).hasToString("http://127.0.0.1:3001");
        assertThat(ExampleSettings.origin("127.0.0.1", 3001)).hasToString("http://127.0.0.1:3001");
    }

    @Test
    void a_page_opened_as_localhost_gets_its_own_origin_and_no_other_host_name_is_taken_from_the_request() {
        assertThat(ExampleSettings.origin("LocalHost", 3001)).hasToString("http://localhost:3001");
        assertThat(ExampleSettings.origin("evil.example", 3001)).hasToString("http://127.0.0.1:3001");
        assertThat(ExampleSettings.origin(null, 3001)).hasToString("http://127.0.0.1:3001");
    }
}
