package dev.sandgate.adapter.local.process;

import static dev.sandgate.adapter.local.process.ProcessTestSupport.anyProcessWith;
import static dev.sandgate.adapter.local.process.ProcessTestSupport.eventually;
import static dev.sandgate.adapter.local.process.ProcessTestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes under bubblewrap: the sandbox is their root, and they see nothing else. Skipped where bwrap cannot run. */
class BwrapIsolationTest {
    private static final ProcessSettings SETTINGS = ProcessSettings.defaults()
            .toBuilder().stopGracePeriod(Duration.ofSeconds(1))
            .defaultWaitTimeout(Duration.ofSeconds(10)).build();
    private static Isolation bwrap;

    @TempDir
    Path root;
    @TempDir
    Path otherRoot;
    private LocalProcesses processes;
    private LocalProcesses other;

    @BeforeAll
    static void probe() {
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            bwrap = null;
        }
    }

    @BeforeEach
    void start() {
        assumeTrue(bwrap != null, "bubblewrap is not installed or cannot create namespaces here");
        processes = create(SandboxName.of("one"), root);
        other = create(SandboxName.of("two"), otherRoot);
    }

    /**
     * Whether each test's processes start through a warm shell (see {@link WarmShell}), as they do after a sandbox's
     * first exec; {@link BwrapIsolationWithoutWarmShellsTest} runs every test with each process spawned.
     */
    boolean warmShells() {
        return true;
    }

    private LocalProcesses create(SandboxName name, Path sandboxRoot) {
        LocalProcesses created = new LocalProcesses(name, sandboxRoot,
                warmShells() ? SETTINGS : SETTINGS.toBuilder().warmShellIdle(Duration.ZERO).build(), bwrap, Clock.systemUTC());
        if (warmShells()) {
            created.prestartWarmShell();
        }
        return created;
    }

    @AfterEach
    void stop() {
        if (processes != null) {
            processes.close();
            other.close();
        }
    }

    private String run(LocalProcesses in, ProcessSpec spec) {
        ProcessInfo info = in.exec(spec.withWaitForCompletion(true));
        return in.logs(info.pid()).logs();
    }

    @Test
    void the_isolation_in_force_is_bwrap() {
        assertThat(bwrap.inForce()).isEqualTo(IsolationMode.BWRAP);
    }

    @Test
    void the_sandbox_root_is_the_process_root() throws IOException {
        Files.createDirectories(root.resolve("app"));
        Files.writeString(root.resolve("app/hello.txt"), "hello from the host");

        String out = run(processes, ProcessSpec.of("pwd; cat /app/hello.txt; echo; echo $HOME; echo made > /tmp/out.txt")
                .withWorkingDir("/app"));

        assertThat(out).isEqualTo("/app\nhello from the host\n/\n");
        assertThat(root.resolve("tmp/out.txt")).hasContent("made");
    }

    @Test
    void a_process_cannot_read_a_file_outside_its_sandbox(@TempDir Path outside) throws IOException {
        Path secret = outside.resolve("secret.txt");
        Files.writeString(secret, "top-secret-value");
        Files.writeString(otherRoot.resolve("neighbour.txt"), "neighbour-value");

        ProcessInfo info = processes.exec(ProcessSpec.of("cat " + secret + "; cat " + otherRoot.resolve("neighbour.txt")
                + "; ls /").withWaitForCompletion(true));

        String logs = processes.logs(info.pid()).logs();
        assertThat(logs).doesNotContain("top-secret-value").doesNotContain("neighbour-value");
        assertThat(processes.logs(info.pid()).stdout().lines())
                .doesNotContain("root", "home", "work", "opt", "var", "srv");
    }

    @Test
    void the_system_is_read_only_and_etc_holds_no_secrets() {
        String out = run(processes, ProcessSpec.of(
                "touch /usr/x 2>/dev/null || echo usr-ro; touch /etc/x 2>/dev/null || echo etc-ro; "
                        + "[ -e /etc/shadow ] || echo no-shadow; [ -e /etc/passwd ] && echo passwd"));

        assertThat(out).isEqualTo("usr-ro\netc-ro\nno-shadow\npasswd\n");
    }

    @Test
    void a_process_cannot_see_the_processes_of_another_sandbox() {
        String marker = "sleep " + (100_000 + ThreadLocalRandom.current().nextInt(100_000));
        processes.exec(ProcessSpec.of("exec " + marker).withName("hidden"));
        eventually("the marker process runs", () -> anyProcessWith(marker));

        String seen = run(other, ProcessSpec.of("cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo; "
                + "ls /proc | grep -c '^[0-9]'"));

        assertThat(seen).doesNotContain(marker);
        String[] lines = seen.strip().split("\n");
        assertThat(Integer.parseInt(lines[lines.length - 1].strip())).isLessThan(8);
    }

    @Test
    void stop_reaches_a_grandchild_that_ignores_sigterm() {
        String marker = "sleep " + (200_000 + ThreadLocalRandom.current().nextInt(100_000));
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "sh -c 'trap \"\" TERM; exec " + marker + "' & wait"));
        eventually("the grandchild runs", () -> anyProcessWith(marker));

        processes.stopProcess(started.pid());

        eventually("the grandchild is gone", () -> !anyProcessWith(marker));
        eventually("the process is finished", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void stop_delivers_sigterm_to_the_command_inside() {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.05; done"));
        eventually("ready", () -> processes.logs(started.pid()).stdout().contains("ready"));

        processes.stopProcess(started.pid());

        eventually("the process is finished", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.logs(started.pid()).stdout()).isEqualTo("ready\ngot-term\n");
        assertThat(processes.getProcess(started.pid()).exitCode()).contains(0);
    }

    @Test
    void kill_ends_everything_inside_the_namespace() {
        String marker = "sleep " + (300_000 + ThreadLocalRandom.current().nextInt(100_000));
        ProcessInfo started = processes.exec(ProcessSpec.of("setsid " + marker + " & wait"));
        eventually("the escaped child runs", () -> anyProcessWith(marker));

        processes.killProcess(started.pid());

        eventually("the child that left the group is gone", () -> !anyProcessWith(marker));
        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.KILLED);
    }

    @Test
    void a_process_outlives_the_thread_that_started_it() throws InterruptedException {
        AtomicReference<ProcessInfo> started = new AtomicReference<>();
        Thread starter = new Thread(() -> started.set(processes.exec(ProcessSpec.of("sleep 300"))));
        starter.start();
        starter.join();

        long pid = Long.parseLong(started.get().pid());
        // a parent-death signal, were it wired to the dead thread, would have arrived by the end of another process
        processes.exec(ProcessSpec.of("true").withWaitForCompletion(true));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(processes.getProcess(started.get().pid()).status()).isEqualTo(ProcessStatus.RUNNING);
    }

    @Test
    void wait_for_ports_works_because_the_network_is_shared() {
        int port = freePort();

        ProcessInfo info = processes.exec(ProcessSpec.of("exec python3 -m http.server " + port + " --bind 127.0.0.1")
                .withWaitForPorts(port).withTimeout(Duration.ofSeconds(20)));

        assertThat(info.status()).isEqualTo(ProcessStatus.RUNNING);
    }

    @Test
    void a_reserved_top_level_name_that_is_not_what_the_runtime_made_is_refused(@TempDir Path outside) {
        // the runtime made an empty mount point there; a warm shell being replaced may make it again meanwhile
        eventually("a symlink stands where the runtime's mount point was", () -> plantSymlink(root.resolve("usr"), outside));

        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("true")))
                .isInstanceOf(SandgateException.InvalidRequest.class)
                .hasMessageContaining("'/usr' is reserved");
    }

    private static boolean plantSymlink(Path at, Path target) {
        try {
            Files.deleteIfExists(at);
            Files.createSymbolicLink(at, target);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
