package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileEntryTest {
    private static final Instant MTIME = Instant.parse("2026-11-23T09:00:00Z");

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"0644", "644", "0755", "1777"})
    void octal_permissions_are_accepted(String permissions) {
        assertThat(FileEntry.requirePermissions(permissions)).isEqualTo(permissions);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"0648", "rwxr-xr-x", "64", "", "007777"})
    void non_octal_permissions_are_refused_and_named(String permissions) {
        assertThatIllegalArgumentException().isThrownBy(() -> FileEntry.requirePermissions(permissions))
                .withMessageContaining("permissions '" + permissions + "'");
    }

    @Test
    void negative_size_is_refused_and_named() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FileEntry(SandboxPath.of("/a"), false, -1, "0644", MTIME))
                .withMessageContaining("size -1");
    }

    @Test
    void name_is_the_last_segment() {
        assertThat(new FileEntry(SandboxPath.of("/app/index.html"), false, 0, "0644", MTIME).name())
                .isEqualTo("index.html");
    }

    @Test
    void name_of_the_root_is_a_slash() {
        assertThat(new FileEntry(SandboxPath.ROOT, true, 0, "0755", MTIME).name()).isEqualTo("/");
    }

    @Test
    void file_content_copies_bytes_in() {
        byte[] bytes = {1, 2, 3};
        FileContent content = new FileContent(new FileEntry(SandboxPath.of("/b"), false, 3, "0644", MTIME), bytes);

        bytes[0] = 9;

        assertThat(content.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void file_content_copies_bytes_out() {
        FileContent content = new FileContent(new FileEntry(SandboxPath.of("/b"), false, 3, "0644", MTIME),
                new byte[] {1, 2, 3});

        content.bytes()[0] = 9;

        assertThat(content.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void file_contents_with_equal_bytes_are_equal() {
        FileEntry entry = new FileEntry(SandboxPath.of("/b"), false, 2, "0644", MTIME);

        assertThat(new FileContent(entry, new byte[] {1, 2})).isEqualTo(new FileContent(entry, new byte[] {1, 2}))
                .hasSameHashCodeAs(new FileContent(entry, new byte[] {1, 2}));
    }

    @Test
    void file_content_text_is_utf8_and_to_string_shows_the_size_not_the_bytes() {
        FileContent content = new FileContent(new FileEntry(SandboxPath.of("/t"), false, 3, "0644", MTIME),
                "é!".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(content.text()).isEqualTo("é!");
        assertThat(content.toString()).contains("size=3").doesNotContain("é!");
    }
}
