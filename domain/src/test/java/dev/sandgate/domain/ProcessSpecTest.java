package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProcessSpecTest {
    @Test
    void plain_command_has_the_defaults() {
        ProcessSpec spec = ProcessSpec.of("echo hi");

        assertThat(spec.name()).isEmpty();
        assertThat(spec.workingDir()).isEmpty();
        assertThat(spec.waitForCompletion()).isFalse();
        assertThat(spec.timeout()).isEmpty();
    }

    @Test
    void blank_command_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("  "))
                .withMessage("command must not be blank");
    }

    @Test
    void command_of_65536_characters_is_accepted() {
        assertThat(ProcessSpec.of("x".repeat(65_536)).command()).hasSize(65_536);
    }

    @Test
    void command_of_65537_characters_is_refused_with_its_length() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("x".repeat(65_537)))
                .withMessageContaining("65537 characters");
    }

    @Test
    void command_with_a_nul_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("echo a\0b"))
                .withMessageContaining("NUL");
    }

    @Test
    void two_hundred_fifty_six_environment_variables_are_accepted() {
        assertThat(ProcessSpec.of("env").withEnv(env(256)).env()).hasSize(256);
    }

    @Test
    void two_hundred_fifty_seven_environment_variables_are_refused_with_the_count() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("env").withEnv(env(257)))
                .withMessageContaining("257");
    }

    @Test
    void environment_name_starting_with_a_digit_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("env").withEnv(Map.of("1PATH", "x")))
                .withMessageContaining("environment variable name '1PATH'");
    }

    @Test
    void environment_value_with_a_nul_is_refused_naming_the_variable() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("env").withEnv(Map.of("HOME", "a\0")))
                .withMessageContaining("HOME");
    }

    @Test
    void environment_is_copied() {
        Map<String, String> source = new HashMap<>(Map.of("A", "1"));
        ProcessSpec spec = ProcessSpec.of("env").withEnv(source);

        source.put("B", "2");

        assertThat(spec.env()).containsOnlyKeys("A");
    }

    @Test
    void sixteen_ports_to_wait_for_are_accepted() {
        assertThat(ProcessSpec.of("serve").withWaitForPorts(ports(16)).waitForPorts()).hasSize(16);
    }

    @Test
    void seventeen_ports_to_wait_for_are_refused_with_the_count() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("serve").withWaitForPorts(ports(17)))
                .withMessageContaining("17");
    }

    @Test
    void port_0_to_wait_for_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("serve").withWaitForPorts(0))
                .withMessageContaining("port 0");
    }

    @Test
    void zero_timeout_is_accepted() {
        assertThat(ProcessSpec.of("x").withTimeout(Duration.ZERO).timeout()).contains(Duration.ZERO);
    }

    @Test
    void negative_timeout_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("x").withTimeout(Duration.ofMillis(-1)))
                .withMessageContaining("PT-0.001S");
    }

    @Test
    void invalid_name_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessSpec.of("x").withName("42"))
                .withMessageContaining("'42'");
    }

    @Test
    void working_directory_is_normalised() {
        assertThat(ProcessSpec.of("x").withWorkingDir("app/../srv/").workingDir()).contains(SandboxPath.of("/srv"));
    }

    @Test
    void restart_on_failure_records_the_limit() {
        ProcessSpec spec = ProcessSpec.of("x").withRestartOnFailure(3);

        assertThat(spec.restartOnFailure()).isTrue();
        assertThat(spec.maxRestarts()).isEqualTo(3);
    }

    private static Map<String, String> env(int count) {
        Map<String, String> env = new HashMap<>();
        IntStream.range(0, count).forEach(i -> env.put("VAR_" + i, "v"));
        return env;
    }

    private static int[] ports(int count) {
        return IntStream.rangeClosed(1, count).map(i -> 3000 + i).toArray();
    }
}
