package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilesTest {
    private static final int LIMIT = 1024;

    @TempDir
    Path temp;
    Path root;
    Path outside;
    LocalFiles files;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside secret");
        files = new LocalFiles(root, LIMIT);
    }

    private static SandboxPath path(String value) {
        return SandboxPath.of(value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void assertLeaves(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SandgateException.InvalidRequest.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("is a symbolic link, which the files API does not follow")
                    .doesNotContain(root.toString());
        });
    }

    // ------------------------------------------------------------------ escapes

    @Test
    void dot_dot_segments_stay_inside_the_root() {
        files.writeFile(path("/../../escape.txt"), utf8("x"), Optional.empty());

        assertThat(root.resolve("escape.txt")).exists();
        assertThat(temp.resolve("escape.txt")).doesNotExist();
    }

    @Test
    void absolute_symlink_to_a_file_outside_is_refused_for_read_and_write() throws IOException {
        Files.createSymbolicLink(root.resolve("passwd"), outside.resolve("secret.txt"));

        assertLeaves(() -> files.readFile(path("/passwd")));
        assertThat(files.stat(path("/passwd")).directory()).isFalse(); // the link itself, never its target
        assertLeaves(() -> files.writeFile(path("/passwd"), utf8("overwritten"), Optional.empty()));
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("outside secret");
    }

    @Test
    void relative_symlink_to_outside_is_refused() throws IOException {
        Files.createSymbolicLink(root.resolve("up"), Path.of("../outside/secret.txt"));

        assertLeaves(() -> files.readFile(path("/up")));
        assertLeaves(() -> files.writeFile(path("/up"), utf8("overwritten"), Optional.empty()));
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("outside secret");
    }

    @Test
    void symlinked_directory_leading_outside_is_refused_for_every_operation() throws IOException {
        Files.createSymbolicLink(root.resolve("dir"), outside);

        assertLeaves(() -> files.listDirectory(path("/dir")));
        assertLeaves(() -> files.readFile(path("/dir/secret.txt")));
        assertLeaves(() -> files.writeFile(path("/dir/new.txt"), utf8("x"), Optional.empty()));
        assertLeaves(() -> files.writeFile(path("/dir/deeper/new.txt"), utf8("x"), Optional.empty()));
        assertLeaves(() -> files.makeDirectory(path("/dir/sub"), "0755"));
        assertLeaves(() -> files.remove(path("/dir/secret.txt"), false));
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(outside.resolve("deeper")).doesNotExist();
        assertThat(outside.resolve("sub")).doesNotExist();
        assertThat(outside.resolve("secret.txt")).exists();
    }

    @Test
    void a_missing_file_behind_an_outside_link_is_refused_not_reported_missing() throws IOException {
        Files.createSymbolicLink(root.resolve("dir"), outside);

        assertLeaves(() -> files.stat(path("/dir/does-not-exist")));
    }

    @Test
    void dangling_symlink_is_refused_for_writes() throws IOException {
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("created-through-link.txt"));

        assertLeaves(() -> files.writeFile(path("/dangling"), utf8("x"), Optional.empty()));
        assertThat(outside.resolve("created-through-link.txt")).doesNotExist();
    }

    @Test
    void a_symlink_that_stays_inside_is_not_followed_either() throws IOException {
        files.writeFile(path("/real/data.txt"), utf8("inside"), Optional.empty());
        Files.createSymbolicLink(root.resolve("alias"), Path.of("real"));
        Files.createSymbolicLink(root.resolve("data-link"), Path.of("real/data.txt"));

        assertLeaves(() -> files.readFile(path("/alias/data.txt")));
        assertLeaves(() -> files.readFile(path("/data-link")));
        assertLeaves(() -> files.writeFile(path("/alias/more.txt"), utf8("more"), Optional.empty()));
        assertThat(root.resolve("real/more.txt")).doesNotExist();
        assertThat(files.listDirectory(SandboxPath.ROOT).files()).extracting(FileEntry::name)
                .containsExactly("alias", "data-link");
    }

    @Test
    void removing_a_symlink_removes_the_link_and_never_its_target() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), outside);

        files.remove(path("/link"), true);

        assertThat(root.resolve("link")).doesNotExist();
        assertThat(outside.resolve("secret.txt")).exists();
    }

    @Test
    void recursive_removal_does_not_follow_links_inside_the_tree() throws IOException {
        files.makeDirectory(path("/tree"), "0755");
        Files.createSymbolicLink(root.resolve("tree/out"), outside);

        files.remove(path("/tree"), true);

        assertThat(root.resolve("tree")).doesNotExist();
        assertThat(outside.resolve("secret.txt")).exists();
    }

    @Test
    void links_leading_outside_are_listed_as_links_without_their_targets_details() throws IOException {
        Files.createSymbolicLink(root.resolve("out"), outside);

        DirectoryListing listing = files.listDirectory(SandboxPath.ROOT);

        assertThat(listing.subdirectories()).isEmpty();
        assertThat(listing.files()).extracting(FileEntry::name).containsExactly("out");
    }

    // ------------------------------------------------------------------ content

    @Test
    void binary_content_round_trips_byte_for_byte() {
        byte[] bytes = new byte[LIMIT];
        new Random(42).nextBytes(bytes);

        files.writeFile(path("/blob.bin"), bytes, Optional.empty());

        assertThat(files.readFile(path("/blob.bin")).bytes()).isEqualTo(bytes);
    }

    @Test
    void writing_more_than_the_limit_is_too_large_and_writes_nothing() {
        assertThatThrownBy(() -> files.writeFile(path("/big.bin"), new byte[LIMIT + 1], Optional.empty()))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThat(root.resolve("big.bin")).doesNotExist();
    }

    @Test
    void reading_a_file_over_the_limit_is_too_large() throws IOException {
        Files.write(root.resolve("big.bin"), new byte[LIMIT + 1]);

        assertThatThrownBy(() -> files.readFile(path("/big.bin")))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void a_file_of_exactly_the_limit_is_fine() {
        files.writeFile(path("/exact.bin"), new byte[LIMIT], Optional.empty());

        assertThat(files.readFile(path("/exact.bin")).size()).isEqualTo(LIMIT);
    }

    // ------------------------------------------------------------------ listing and metadata

    @Test
    void listing_reports_size_permissions_and_mtime_sorted_by_name() throws IOException {
        files.writeFile(path("/d/zeta.txt"), utf8("12345"), Optional.of("0640"));
        files.writeFile(path("/d/alpha.txt"), utf8("1"), Optional.empty());
        files.makeDirectory(path("/d/sub-b"), "0700");
        files.makeDirectory(path("/d/sub-a"), "0755");
        Instant mtime = Instant.parse("2026-01-02T03:04:05Z");
        Files.setLastModifiedTime(root.resolve("d/zeta.txt"), FileTime.from(mtime));

        DirectoryListing listing = files.listDirectory(path("/d"));

        assertThat(listing.files()).extracting(FileEntry::name).containsExactly("alpha.txt", "zeta.txt");
        FileEntry zeta = listing.files().get(1);
        assertThat(zeta.path()).isEqualTo(path("/d/zeta.txt"));
        assertThat(zeta.size()).isEqualTo(5);
        assertThat(zeta.permissions()).isEqualTo("0640");
        assertThat(zeta.lastModified()).isEqualTo(mtime);
        assertThat(listing.files().get(0).permissions()).isEqualTo("0644");
        assertThat(listing.subdirectories()).extracting(FileEntry::name).containsExactly("sub-a", "sub-b");
        assertThat(listing.subdirectories()).extracting(FileEntry::permissions).containsExactly("0755", "0700");
    }

    @Test
    void rewriting_a_file_without_permissions_keeps_its_mode() {
        files.writeFile(path("/script.sh"), utf8("echo 1"), Optional.of("0755"));

        FileEntry entry = files.writeFile(path("/script.sh"), utf8("echo 2"), Optional.empty());

        assertThat(entry.permissions()).isEqualTo("0755");
    }

    @Test
    void special_permission_bits_are_refused() {
        assertThatThrownBy(() -> files.writeFile(path("/suid"), utf8("x"), Optional.of("4755")))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        assertThatThrownBy(() -> files.makeDirectory(path("/bad"), "rwx"))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void the_root_is_a_directory_that_cannot_be_written_or_removed() {
        assertThat(files.stat(SandboxPath.ROOT).directory()).isTrue();
        assertThatThrownBy(() -> files.writeFile(SandboxPath.ROOT, utf8("x"), Optional.empty()))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        assertThatThrownBy(() -> files.remove(SandboxPath.ROOT, true)).isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void writing_below_a_file_is_an_invalid_request() {
        files.writeFile(path("/plain.txt"), utf8("x"), Optional.empty());

        assertThatThrownBy(() -> files.writeFile(path("/plain.txt/child.txt"), utf8("y"), Optional.empty()))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void writing_over_a_directory_is_an_invalid_request() {
        files.makeDirectory(path("/a-dir"), "0755");

        assertThatThrownBy(() -> files.writeFile(path("/a-dir"), utf8("y"), Optional.empty()))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void errors_name_the_sandbox_path_never_the_disk_path() {
        assertThatThrownBy(() -> files.readFile(path("/nowhere/file.txt")))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessageContaining("/nowhere/file.txt")
                .hasMessageNotContaining(temp.toString());
    }
}
