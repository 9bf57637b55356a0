package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxSpecTest {
    private static final SandboxSpec BASE = SandboxSpec.of(SandboxName.of("box"));

    @Test
    void defaults_are_the_wire_protocols() {
        assertThat(BASE.image()).isEqualTo("blaxel/base-image:latest");
        assertThat(BASE.memoryMb()).isEqualTo(4096);
        assertThat(BASE.ports()).isEmpty();
        assertThat(BASE.labels()).isEmpty();
    }

    @Test
    void memory_of_1_mb_is_accepted() {
        assertThat(BASE.withMemoryMb(1).memoryMb()).isEqualTo(1);
    }

    @Test
    void memory_of_0_mb_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withMemoryMb(0))
                .withMessage("memory 0 MB is out of range 1-1048576");
    }

    @Test
    void memory_of_1048576_mb_is_accepted() {
        assertThat(BASE.withMemoryMb(1_048_576).memoryMb()).isEqualTo(1_048_576);
    }

    @Test
    void memory_of_1048577_mb_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withMemoryMb(1_048_577))
                .withMessageContaining("memory 1048577 MB");
    }

    @Test
    void blank_image_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withImage(" "))
                .withMessageContaining("image ' '");
    }

    @Test
    void image_of_512_characters_is_accepted() {
        assertThat(BASE.withImage("i".repeat(512)).image()).hasSize(512);
    }

    @Test
    void image_of_513_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withImage("i".repeat(513)))
                .withMessageContaining("(513 chars)");
    }

    @Test
    void image_with_a_control_character_is_refused_and_shown_escaped() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withImage("img\tx"))
                .withMessageContaining("'img\\u0009x'");
    }

    @Test
    void two_ports_with_the_same_target_are_refused_naming_the_port() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BASE.withPorts(List.of(PortSpec.http("a", 3000), PortSpec.http("b", 3000))))
                .withMessageContaining("box")
                .withMessageContaining("target port '3000'");
    }

    @Test
    void two_ports_with_the_same_name_are_refused_naming_it() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BASE.withPorts(List.of(PortSpec.http("web", 3000), PortSpec.http("web", 3001))))
                .withMessageContaining("port name 'web'");
    }

    @Test
    void several_unnamed_ports_are_accepted() {
        List<PortSpec> ports = List.of(new PortSpec(Optional.empty(), Port.of(3000), "HTTP"),
                new PortSpec(Optional.empty(), Port.of(3001), "TCP"));

        assertThat(BASE.withPorts(ports).ports()).hasSize(2);
    }

    @Test
    void two_envs_with_the_same_name_are_refused_naming_it() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BASE.withEnvs(List.of(new EnvVar("HOME", "/a"), new EnvVar("HOME", "/b"))))
                .withMessageContaining("variable name 'HOME'");
    }

    @Test
    void empty_label_key_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabels(Map.of("", "v")))
                .withMessageContaining("label ''");
    }

    @Test
    void label_key_of_256_characters_is_accepted() {
        assertThat(BASE.withLabels(Map.of("k".repeat(256), "v")).labels()).hasSize(1);
    }

    @Test
    void label_key_of_257_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabels(Map.of("k".repeat(257), "v")))
                .withMessageContaining("label 'kkk");
    }

    @Test
    void label_value_of_1024_characters_is_accepted() {
        assertThat(BASE.withLabels(Map.of("k", "v".repeat(1024))).labels()).containsKey("k");
    }

    @Test
    void label_value_of_1025_characters_is_refused_naming_the_key() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabels(Map.of("team", "v".repeat(1025))))
                .withMessageContaining("label 'team'");
    }

    @Test
    void labels_are_copied() {
        Map<String, String> source = new HashMap<>(Map.of("a", "1"));
        SandboxSpec spec = BASE.withLabels(source);

        source.put("b", "2");

        assertThat(spec.labels()).containsOnlyKeys("a");
    }

    @Test
    void with_copies_change_one_field_only() {
        SandboxSpec changed = BASE.withMemoryMb(512);

        assertThat(changed).usingRecursiveComparison().ignoringFields("memoryMb").isEqualTo(BASE);
    }

    @org.junit.jupiter.api.Test
    void external_id_and_display_name_are_printable_text_of_at_most_256_characters() {
        SandboxSpec spec = SandboxSpec.of(SandboxName.of("box"));

        org.assertj.core.api.Assertions.assertThat(spec.withExternalId("crm/42").externalId()).contains("crm/42");
        for (String bad : java.util.List.of("", "x".repeat(257), "a\nb", "tab\there")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> spec.withExternalId(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("externalId");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> spec.withDisplayName(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("displayName");
        }
    }
}
