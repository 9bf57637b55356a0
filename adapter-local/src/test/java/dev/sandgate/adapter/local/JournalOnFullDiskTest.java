package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on a disk that fills up, for real: a small {@code tmpfs} of its own (so the test needs root, as the
 * broker's sandbox tests do). A line that finds the disk full is written in part (up to the end of the file's last
 * page); the change that wrote it is refused, and what comes after it must not be joined to those bytes.
 */
class JournalOnFullDiskTest {
    private static final SandboxName SANDBOX = SandboxName.of("box");
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Instant LATER = NOW.plusSeconds(3600);

    @TempDir
    Path scratch;
    private Path mountPoint;
    private Path keys;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mountPoint = Files.createDirectory(scratch.resolve("disk"));
        keys = Files.createDirectory(scratch.resolve("keys"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", mountPoint.toString());
        assumeTrue(mounted, "mounting a tmpfs needs root");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "--lazy", mountPoint.toString()); // the store keeps its journal open
        }
    }

    @Test
    void a_token_revoked_after_a_change_found_the_disk_full_stays_revoked_when_the_store_reopens() throws Exception {
        Path dir = mountPoint.resolve("access");
        Path key = keys.resolve("secret.key");
        FileAccessStore store = FileAccessStore.open(dir, key, true);
        store.insertPreview(preview("web", Map.of()));
        PreviewToken stolen = store.mintToken(SANDBOX, PreviewName.of("web"), TokenName.of("leaked"), LATER, NOW);

        assertThat(Files.size(dir.resolve(AccessJournal.FILE)) % 4096)
                .as("the journal's last page has room, so the next line is written in part").isNotZero();
        Path filler = mountPoint.resolve("filler");
        fillTheDisk(filler);
        // a preview whose line is longer than a page: it cannot fit in what is left of the journal's last page
        assertThatThrownBy(() -> store.insertPreview(preview("big", Map.of("X-Padding", "p".repeat(6000)))))
                .isInstanceOf(SandgateException.Unavailable.class);
        Files.delete(filler); // the operator makes room

        assertThat(store.removeToken(SANDBOX, PreviewName.of("web"), TokenName.of("leaked"))).isPresent();
        assertThat(store.verify(SANDBOX, PreviewName.of("web"), stolen.value().value(), NOW)).isEmpty();

        FileAccessStore reopened = FileAccessStore.open(dir, key, true);
        assertThat(reopened.verify(SANDBOX, PreviewName.of("web"), stolen.value().value(), NOW))
                .as("the revocation acknowledged after the disk was full is on the disk").isEmpty();
        assertThat(reopened.findPreview(SANDBOX, PreviewName.of("big"))).as("the refused change").isEmpty();
        assertThat(reopened.findPreview(SANDBOX, PreviewName.of("web"))).isPresent();
    }

    @Test
    void a_revocation_refused_for_a_full_disk_leaves_no_token_of_the_store_working() throws Exception {
        FileAccessStore store = FileAccessStore.open(mountPoint.resolve("access"), keys.resolve("secret.key"), true);
        store.insertPreview(preview("web", Map.of("X-Padding", "p".repeat(6000))));
        PreviewToken stolen = store.mintToken(SANDBOX, PreviewName.of("web"), TokenName.of("leaked"), LATER, NOW);
        store.insertPreview(preview("other", Map.of()));
        PreviewToken bystander = store.mintToken(SANDBOX, PreviewName.of("other"), TokenName.of("t"), LATER, NOW);

        fillTheDisk(mountPoint.resolve("filler"));
        // the removal's line holds the preview's whole record, longer than a page: it cannot be written
        assertThatThrownBy(() -> store.removeToken(SANDBOX, PreviewName.of("web"), TokenName.of("leaked")))
                .isInstanceOf(SandgateException.Unavailable.class);

        assertThatThrownBy(() -> store.verify(SANDBOX, PreviewName.of("web"), stolen.value().value(), NOW))
                .as("the token whose revocation was refused").isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("no token is accepted");
        assertThatThrownBy(() -> store.verify(SANDBOX, PreviewName.of("other"), bystander.value().value(), NOW))
                .isInstanceOf(SandgateException.Unavailable.class);
    }

    private static Preview preview(String name, Map<String, String> responseHeaders) {
        PreviewSpec spec = PreviewSpec.privatePort(PreviewName.of(name), Port.of(3000))
                .withResponseHeaders(HttpHeaders.of(responseHeaders));
        return new Preview(SANDBOX, spec, "http://broker.example/p/box/" + name, NOW);
    }

    /** Writes {@code filler} until the file system has no page left. */
    private static void fillTheDisk(Path filler) throws IOException {
        byte[] page = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(page);
                out.flush();
            }
        } catch (IOException full) {
            assertThat(DiskFull.is(full)).as("the filler stopped for a full disk: %s", full).isTrue();
        }
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
