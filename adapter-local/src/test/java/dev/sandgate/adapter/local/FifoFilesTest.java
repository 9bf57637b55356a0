package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.contract.Eventually;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A FIFO made inside the sandbox is never opened in a way that blocks, even when swapped in after the check. */
class FifoFilesTest {
    private static final SandboxName NAME = SandboxName.of("fifo");
    /** Longer than any answer may take: two opens given their deadline and release, and some slack. */
    private static final Duration BOUND = SandboxRoot.OPEN_DEADLINE.plusSeconds(1).multipliedBy(2).plusSeconds(3);

    @TempDir
    Path dataDir;
    private LocalSandboxGateway gateway;
    private DataPlane files;
    private Path root;

    @BeforeEach
    void open() {
        gateway = TestGateways.open(dataDir);
        gateway.createSandbox(SandboxSpec.of(NAME));
        files = gateway.dataPlane(NAME);
        root = TestGateways.settings(dataDir).sandboxesDir().resolve(NAME.value()).resolve("root");
    }

    @AfterEach
    void close() {
        gateway.close();
    }

    private void run(String command) {
        var info = files.exec(ProcessSpec.of(command).withWorkingDir("/race").withWaitForCompletion(true));
        assertThat(info.exitCode()).contains(0);
    }

    @Test
    void writing_to_a_fifo_made_in_the_sandbox_is_refused_at_once_instead_of_hanging() {
        files.makeDirectory(SandboxPath.of("/race"), "0755");
        run("mkfifo pipe");

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> files.writeFile(SandboxPath.of("/race/pipe"),
                "x".getBytes(StandardCharsets.UTF_8), Optional.empty()))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("not a regular file"));
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> files.readFile(SandboxPath.of("/race/pipe")))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("not a regular file"));
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> files.listDirectory(SandboxPath.of(
                "/race/pipe"))).isInstanceOf(SandgateException.InvalidRequest.class));
    }

    @Test
    void a_fifo_swapped_in_after_the_check_never_hangs_a_read_or_a_write() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        files.writeFile(SandboxPath.of("/race/f"), "regular".getBytes(StandardCharsets.UTF_8), Optional.empty());
        run("mkfifo p");
        files.exec(ProcessSpec.of("/usr/bin/python3 -c 'import ctypes,time\n"
                + "r=ctypes.CDLL(None,use_errno=True).renameat2\n"
                + "end=time.time()+60\n"
                + "while time.time()<end:\n"
                + "  for _ in range(2000): r(-100,b\"f\",-100,b\"p\",2)\n'").withWorkingDir("/race"));
        Path f = root.resolve("race/f");
        Eventually.await("the swap loop runs", Duration.ofSeconds(20), () -> !isRegular(f));

        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        int answered = 0;
        while (System.nanoTime() - deadline < 0) {
            assertTimeoutPreemptively(BOUND, () -> {
                try {
                    assertThat(files.readFile(SandboxPath.of("/race/f")).text()).isIn("regular", "written");
                } catch (SandgateException.InvalidRequest | SandgateException.Unavailable refused) {
                    // the FIFO was there
                }
            });
            assertTimeoutPreemptively(BOUND, () -> {
                try {
                    files.writeFile(SandboxPath.of("/race/f"), "written".getBytes(StandardCharsets.UTF_8),
                            Optional.empty());
                } catch (SandgateException.InvalidRequest | SandgateException.Unavailable refused) {
                    // the FIFO was there
                }
            });
            answered++;
        }

        assertThat(answered).isPositive();
    }

    private static boolean isRegular(Path p) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
