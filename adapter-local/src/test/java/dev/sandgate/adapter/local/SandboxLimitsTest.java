package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits of a sandbox hold against what its processes try: real processes, real control groups and a real
 * loop-mounted file system (the broker runs as root, as in CI), under the isolation this machine has.
 */
class SandboxLimitsTest {
    private static final SandboxName NAME = SandboxName.of("limited");
    private static final SandboxName OTHER = SandboxName.of("neighbour");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;
    private LocalSandboxGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private DataPlane sandbox(SandboxLimits limits, int memoryMb) {
        gateway = TestGateways.open(TestGateways.settings(dataDir).toBuilder().limits(limits).build());
        gateway.createSandbox(SandboxSpec.of(NAME).withMemoryMb(memoryMb));
        return gateway.dataPlane(NAME);
    }

    private static ProcessInfo run(DataPlane data, String command) {
        ProcessInfo info = data.exec(ProcessSpec.of(command).withWaitForCompletion(true).withTimeout(WAIT));
        assertThat(info.status()).as("%s finished", command).isNotEqualTo(ProcessStatus.RUNNING);
        return info;
    }

    @Test
    void allocation_past_the_sandbox_memory_is_killed_and_reported_as_out_of_memory() {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(0), 64);

        ProcessInfo hog = run(data, "python3 -c 'x = bytearray(200 * 1024 * 1024); print(\"allocated\")'");

        ProcessLogs logs = data.logs(hog.pid());
        assertThat(hog.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(hog.exitCode()).contains(137);
        assertThat(hog.outOfMemory()).isTrue();
        assertThat(logs.stdout()).doesNotContain("allocated");
        assertThat(logs.stderr()).contains("out of memory");
        // a process that stays within the memory runs as before
        assertThat(run(data, "python3 -c 'x = bytearray(8 * 1024 * 1024)'").status())
                .isEqualTo(ProcessStatus.COMPLETED);
        // and one handed to the warm shell is held to the same limit
        ProcessInfo warm = run(data, "python3 -c 'x = bytearray(200 * 1024 * 1024)'");
        assertThat(warm.exitCode()).contains(137);
        assertThat(warm.outOfMemory()).isTrue();
    }

    @Test
    void a_new_memory_for_the_sandbox_applies_to_its_running_group() {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(0), 512);
        String allocate = "python3 -c 'x = bytearray(200 * 1024 * 1024)'";
        assertThat(run(data, allocate).status()).isEqualTo(ProcessStatus.COMPLETED);

        gateway.updateSandbox(SandboxSpec.of(NAME).withMemoryMb(64));

        ProcessInfo after = run(data, allocate);
        assertThat(after.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(after.outOfMemory()).isTrue();
    }

    @Test
    void without_isolation_an_allocation_past_the_memory_is_killed_too() {
        gateway = unisolated(SandboxLimits.defaults().withDiskQuotaBytes(0));
        gateway.createSandbox(SandboxSpec.of(NAME).withMemoryMb(64));
        DataPlane data = gateway.dataPlane(NAME);

        ProcessInfo hog = run(data, "head -c 200M /dev/zero | python3 -c 'import sys; x = sys.stdin.buffer.read()'");

        assertThat(hog.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(hog.exitCode()).contains(137);
        assertThat(hog.outOfMemory()).isTrue();
        assertThat(data.logs(hog.pid()).stderr()).contains("out of memory");
    }

    @Test
    void fork_loop_stops_at_the_process_limit() {
        DataPlane data = sandbox(SandboxLimits.defaults().withMaxProcesses(32).withDiskQuotaBytes(0), 512);

        // 200 sleepers are asked for; the shell dies when a fork fails, so the loop ends by itself. The first run
        // is spawned, the second goes through the sandbox's warm shell: both are in the sandbox's group.
        for (int round = 0; round < 2; round++) {
            ProcessInfo loop = run(data, "i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i + 1)); echo $i; done");

            ProcessLogs logs = data.logs(loop.pid());
            List<String> counts = logs.stdout().lines().toList();
            assertThat(loop.status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(logs.stderr()).containsIgnoringCase("fork");
            assertThat(counts).hasSizeLessThan(32);
        }
    }

    @Test
    void write_past_the_disk_quota_fails_with_no_space_left() {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(16L * 1024 * 1024), 512);

        ProcessInfo dd = run(data, "dd if=/dev/zero of=/big bs=1M count=32 2>&1; echo \"dd: $?\"");

        String out = data.logs(dd.pid()).logs();
        assertThat(out).contains("No space left on device").doesNotContain("dd: 0");
        assertThat(dataDir.resolve("sandboxes").resolve(NAME.value()).resolve("root").resolve("big"))
                .satisfies(p -> assertThat(Files.size(p)).isLessThan(16L * 1024 * 1024));
    }

    @Test
    void file_api_write_past_the_disk_quota_is_refused_as_too_large() {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(16L * 1024 * 1024), 512);
        byte[] four = new byte[4 * 1024 * 1024];

        assertThatThrownBy(() -> {
            for (int i = 0; i < 8; i++) {
                data.writeFile(SandboxPath.of("/chunk-" + i), four, Optional.empty());
            }
        }).isInstanceOfSatisfying(SandgateException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(e.getMessage()).contains("disk").doesNotContain(dataDir.toString());
        });
    }

    @Test
    void the_disk_is_mounted_again_after_a_restart_and_unmounted_on_delete() throws IOException {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(16L * 1024 * 1024), 512);
        data.writeFile(SandboxPath.of("/kept.txt"), "kept".getBytes(StandardCharsets.UTF_8), Optional.empty());
        Path root = dataDir.resolve("sandboxes").resolve(NAME.value()).resolve("root");
        gateway.close();
        assertThat(mounted(root)).as("unmounted when the broker closes").isFalse();

        gateway = TestGateways.open(TestGateways.settings(dataDir)
                .toBuilder().limits(SandboxLimits.defaults().withDiskQuotaBytes(16L * 1024 * 1024)).build());
        assertThat(mounted(root)).as("mounted again on start").isTrue();
        DataPlane again = gateway.dataPlane(NAME);
        assertThat(again.readFile(SandboxPath.of("/kept.txt")).text()).isEqualTo("kept");
        assertThat(again.logs(run(again, "dd if=/dev/zero of=/big bs=1M count=32 2>&1").pid()).logs())
                .contains("No space left on device");

        gateway.deleteSandbox(NAME);
        assertThat(mounted(root)).as("unmounted on delete").isFalse();
        assertThat(dataDir.resolve("sandboxes")).isEmptyDirectory();
    }

    @Test
    void every_process_runs_in_the_sandbox_group_and_deleting_the_sandbox_removes_it() throws IOException {
        DataPlane data = sandbox(SandboxLimits.defaults().withDiskQuotaBytes(0), 512);
        // the first exec is spawned, the second is handed to the warm shell
        String spawned = data.logs(run(data, "cat /proc/self/cgroup").pid()).stdout();
        String warm = data.logs(run(data, "cat /proc/self/cgroup").pid()).stdout();
        Path pidsGroup = pidsRoot().resolve(pidsPath(spawned).substring(1));

        assertThat(pidsPath(spawned)).endsWith("/" + NAME.value());
        assertThat(pidsPath(warm)).isEqualTo(pidsPath(spawned));
        assertThat(pidsGroup.resolve("pids.max")).hasContent("512");

        gateway.deleteSandbox(NAME);

        assertThat(pidsGroup).doesNotExist();
    }

    @Test
    void without_isolation_a_process_that_left_its_session_dies_with_the_sandbox() {
        gateway = unisolated(SandboxLimits.defaults().withDiskQuotaBytes(0));
        gateway.createSandbox(SandboxSpec.of(NAME));
        DataPlane data = gateway.dataPlane(NAME);
        ProcessInfo starter = run(data, "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!");
        long escaped = Long.parseLong(data.logs(starter.pid()).stdout().strip());
        ProcessHandle handle = ProcessHandle.of(escaped).orElseThrow();
        assertThat(handle.isAlive()).as("the process outlived its own group").isTrue();

        gateway.deleteSandbox(NAME);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (handle.isAlive() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(handle.isAlive()).as("killed with the sandbox's group").isFalse();
    }

    private LocalSandboxGateway unisolated(SandboxLimits limits) {
        LocalSettings settings = TestGateways.settings(dataDir).toBuilder().limits(limits).build();
        return new LocalSandboxGateway(settings, FileAccessStore.open(settings.accessDir(),
                settings.secretKeyFile(), false), Isolation.resolve(IsolationMode.NONE), Clock.systemUTC());
    }

    /** The path of the pids group in a {@code /proc/<pid>/cgroup}: its v1 hierarchy, else the v2 one. */
    private static String pidsPath(String procCgroup) {
        return procCgroup.lines().filter(l -> l.contains(":pids:")).findFirst()
                .map(l -> l.substring(l.indexOf(":pids:") + 6))
                .or(() -> procCgroup.lines().filter(l -> l.startsWith("0::")).findFirst().map(l -> l.substring(3)))
                .orElseThrow(() -> new AssertionError("no pids group in " + procCgroup));
    }

    private static Path pidsRoot() {
        Path v1 = Path.of("/sys/fs/cgroup/pids");
        return Files.isDirectory(v1) ? v1 : Path.of("/sys/fs/cgroup");
    }

    @Test
    void cpu_hog_is_held_to_its_cpu_quota() {
        DataPlane data = sandbox(SandboxLimits.defaults().withCpus(0.5).withDiskQuotaBytes(0), 512);
        gateway.createSandbox(SandboxSpec.of(OTHER));
        DataPlane other = gateway.dataPlane(OTHER);

        data.writeFile(SandboxPath.of("/busy.py"), String.join("\n", "import time", "t = time.time()",
                "while time.time() - t < 2:", "    pass", "").getBytes(StandardCharsets.UTF_8), Optional.empty());

        // four busy loops, enough to take both cores of a small machine, each for 2 s of its own wall time
        long start = System.nanoTime();
        ProcessInfo hog = data.exec(ProcessSpec.of("for i in 1 2 3 4; do python3 /busy.py & done; wait"));
        // and the neighbour, in a sandbox of the same settings, still gets its work done meanwhile
        ProcessInfo job = run(other, "python3 -c 'sum(i * i for i in range(1_000_000))'");
        hog = awaitEnd(data, hog);
        double wall = (System.nanoTime() - start) / 1e9;

        assertThat(hog.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(job.status()).isEqualTo(ProcessStatus.COMPLETED);
        double used = gateway.cpuUsageNanos(NAME).orElseThrow() / 1e9;
        // 4 x 2 s of busy loop on 0.5 CPU: at most about half of the wall time, never the 2+ cores they asked for
        assertThat(used).as("the hog ran in its sandbox's group").isGreaterThan(0.2);
        assertThat(used / wall).as("CPU used %.2f s over %.2f s", used, wall).isLessThan(0.65);
    }

    private static ProcessInfo awaitEnd(DataPlane data, ProcessInfo process) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ProcessInfo now = data.getProcess(process.pid());
        while (now.isRunning() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            now = data.getProcess(process.pid());
        }
        return now;
    }

    private static boolean mounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4]).anyMatch(target::equals);
    }
}
