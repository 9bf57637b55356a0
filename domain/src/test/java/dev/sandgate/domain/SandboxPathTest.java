package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class SandboxPathTest {
    private static String normalised(String raw) {
        return SandboxPath.of(raw).value();
    }

    @Test
    void dot_dot_removes_the_previous_segment_and_never_climbs_above_the_root() {
        assertThat(normalised("/a/../../etc")).isEqualTo("/etc");
    }

    @Test
    void dot_dot_at_the_root_stays_at_the_root() {
        assertThat(normalised("/..")).isEqualTo("/");
    }

    @Test
    void many_dot_dots_stay_at_the_root() {
        assertThat(normalised("../../../../x")).isEqualTo("/x");
    }

    @Test
    void leading_double_slash_collapses() {
        assertThat(normalised("//x")).isEqualTo("/x");
    }

    @Test
    void repeated_slashes_inside_collapse() {
        assertThat(normalised("/a//b///c/")).isEqualTo("/a/b/c");
    }

    @Test
    void empty_path_is_the_root() {
        assertThat(SandboxPath.of("")).isEqualTo(SandboxPath.ROOT);
    }

    @Test
    void missing_leading_slash_is_added() {
        assertThat(normalised("tmp/a.txt")).isEqualTo("/tmp/a.txt");
    }

    @Test
    void single_dots_vanish() {
        assertThat(normalised("/./a/./b/.")).isEqualTo("/a/b");
    }

    @Test
    void dots_inside_a_name_are_kept() {
        assertThat(normalised("/a/..b/c..")).isEqualTo("/a/..b/c..");
    }

    @Test
    void nul_character_is_refused_and_shown_escaped() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxPath.of("/etc/passwd\0.txt"))
                .withMessageContaining("'/etc/passwd\\u0000.txt' contains a NUL character");
    }

    @Test
    void path_of_4096_bytes_is_accepted() {
        String raw = "/" + "a".repeat(4095);

        assertThat(SandboxPath.of(raw).value()).hasSize(4096);
    }

    @Test
    void path_of_4097_characters_is_refused_with_its_length() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxPath.of("/" + "a".repeat(4096)))
                .withMessageContaining("4097 bytes long (at most 4096)");
    }

    @Test
    void length_is_counted_in_utf8_bytes_not_characters() {
        String raw = "/" + "é".repeat(2048);

        assertThatIllegalArgumentException().isThrownBy(() -> SandboxPath.of(raw))
                .withMessageContaining("4097 bytes long");
    }

    @Test
    void a_path_whose_leading_slash_would_make_it_too_long_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxPath.of("a".repeat(4096)))
                .withMessageContaining("4097 bytes long");
    }

    @Test
    void every_path_value_is_itself_a_valid_path() {
        SandboxPath longest = SandboxPath.of("/" + "a".repeat(4095));

        assertThat(SandboxPath.of(longest.value())).isEqualTo(longest);
    }

    @Test
    void contains_itself() {
        assertThat(SandboxPath.of("/app").contains(SandboxPath.of("/app"))).isTrue();
    }

    @Test
    void contains_a_path_below_it() {
        assertThat(SandboxPath.of("/app").contains(SandboxPath.of("/app/src/x"))).isTrue();
    }

    @Test
    void does_not_contain_a_sibling_sharing_its_prefix() {
        assertThat(SandboxPath.of("/app").contains(SandboxPath.of("/apple"))).isFalse();
    }

    @Test
    void does_not_contain_its_parent() {
        assertThat(SandboxPath.of("/app/src").contains(SandboxPath.of("/app"))).isFalse();
    }

    @Test
    void root_contains_everything() {
        assertThat(SandboxPath.ROOT.contains(SandboxPath.of("/any/where"))).isTrue();
    }

    @Test
    void parent_of_a_nested_path_is_its_directory() {
        assertThat(SandboxPath.of("/a/b/c").parent()).isEqualTo(SandboxPath.of("/a/b"));
    }

    @Test
    void parent_of_a_top_level_path_is_the_root() {
        assertThat(SandboxPath.of("/a").parent()).isEqualTo(SandboxPath.ROOT);
    }

    @Test
    void root_is_its_own_parent() {
        assertThat(SandboxPath.ROOT.parent()).isEqualTo(SandboxPath.ROOT);
    }

    @Test
    void resolve_appends_a_child() {
        assertThat(SandboxPath.of("/app").resolve("src/main.js")).isEqualTo(SandboxPath.of("/app/src/main.js"));
    }

    @Test
    void resolve_cannot_climb_above_the_root() {
        assertThat(SandboxPath.of("/app").resolve("../../../etc/passwd")).isEqualTo(SandboxPath.of("/etc/passwd"));
    }

    @Test
    void resolve_of_an_absolute_looking_child_stays_below() {
        assertThat(SandboxPath.of("/app").resolve("/etc")).isEqualTo(SandboxPath.of("/app/etc"));
    }

    @Test
    void segments_and_file_name_of_a_nested_path() {
        SandboxPath path = SandboxPath.of("/a/b/c.txt");

        assertThat(path.segments()).containsExactly("a", "b", "c.txt");
        assertThat(path.fileName()).contains("c.txt");
    }

    @Test
    void root_has_no_segments_and_no_file_name() {
        assertThat(SandboxPath.ROOT.segments()).isEmpty();
        assertThat(SandboxPath.ROOT.fileName()).isEmpty();
        assertThat(SandboxPath.ROOT.isRoot()).isTrue();
    }

    @Test
    void equal_after_normalisation() {
        assertThat(SandboxPath.of("tmp//x/")).isEqualTo(SandboxPath.of("/tmp/x")).hasToString("/tmp/x");
    }
}
