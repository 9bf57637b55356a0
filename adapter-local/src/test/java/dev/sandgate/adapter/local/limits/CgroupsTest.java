package dev.sandgate.adapter.local.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding the broker's own groups, and what each cgroup version writes, over a directory tree laid out like the
 * kernel's files (the real kernel is in {@code SandboxLimitsTest}).
 */
class CgroupsTest {
    private static final SandboxLimits LIMITS = SandboxLimits.defaults().withMaxProcesses(32).withCpus(0.5);

    @TempDir
    Path fs;

    private static String mountinfo(Path fs, String v1Root) {
        return String.join("\n",
                "31 23 0:28 / " + fs + " rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 " + v1Root + " " + fs.resolve("cpu") + " rw - cgroup cgroup rw,cpu",
                "33 31 0:30 " + v1Root + " " + fs.resolve("cpuacct") + " rw - cgroup cgroup rw,cpuacct",
                "35 31 0:32 " + v1Root + " " + fs.resolve("memory") + " rw - cgroup cgroup rw,memory",
                "39 31 0:36 " + v1Root + " " + fs.resolve("pids") + " rw - cgroup cgroup rw,pids",
                "41 31 0:38 / " + fs.resolve("unified") + " rw - cgroup2 cgroup2 rw",
                "");
    }

    private static final String SELF_V1 = String.join("\n", "8:pids:/", "4:memory:/jobs/abc", "2:cpuacct:/",
            "1:cpu:/", "0::/", "");

    private void dirs(String... paths) throws IOException {
        for (String p : paths) {
            Files.createDirectories(fs.resolve(p));
        }
    }

    private String read(String path) throws IOException {
        return Files.readString(fs.resolve(path), StandardCharsets.US_ASCII);
    }

    @Test
    void v1_groups_are_made_under_the_broker_group_of_each_hierarchy_with_the_limits() throws IOException {
        dirs("memory/jobs/abc", "pids", "cpu", "cpuacct", "unified");
        Files.writeString(fs.resolve("unified/cgroup.controllers"), "hugetlb\n");

        Cgroups cgroups = Cgroups.detect("sandgate-b1", LIMITS, SELF_V1, mountinfo(fs, "/"));
        SandboxCgroup group = cgroups.create("web", 64L << 20);

        assertThat(cgroups).isInstanceOf(CgroupsV1.class);
        assertThat(cgroups.controllers()).containsExactly("memory", "pids", "cpu");
        assertThat(group.procsFiles()).containsExactly(
                fs.resolve("memory/jobs/abc/sandgate-b1/web/cgroup.procs"),
                fs.resolve("pids/sandgate-b1/web/cgroup.procs"),
                fs.resolve("cpu/sandgate-b1/web/cgroup.procs"),
                fs.resolve("cpuacct/sandgate-b1/web/cgroup.procs"));
        assertThat(read("memory/jobs/abc/sandgate-b1/web/memory.limit_in_bytes")).isEqualTo(Long.toString(64L << 20));
        assertThat(read("pids/sandgate-b1/web/pids.max")).isEqualTo("32");
        assertThat(read("cpu/sandgate-b1/web/cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(read("cpu/sandgate-b1/web/cpu.cfs_period_us")).isEqualTo("100000");
    }

    @Test
    void a_v1_hierarchy_mounted_from_a_sub_group_resolves_below_its_mount() throws IOException {
        dirs("memory", "pids", "cpu", "cpuacct");
        String self = String.join("\n", "8:pids:/jobs/abc", "4:memory:/jobs/abc", "2:cpuacct:/jobs/abc",
                "1:cpu:/jobs/abc", "");

        Cgroups cgroups = Cgroups.detect("sandgate-b1", LIMITS, self, mountinfo(fs, "/jobs/abc"));

        assertThat(cgroups.create("web", 1 << 20).procsFiles())
                .contains(fs.resolve("pids/sandgate-b1/web/cgroup.procs"));
    }

    @Test
    void v2_is_used_where_the_broker_group_is_delegated_the_controllers() throws IOException {
        dirs("unified/svc");
        Files.writeString(fs.resolve("unified/svc/cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(fs.resolve("unified/svc/cgroup.subtree_control"), "cpu memory pids\n");
        String self = "0::/svc\n";

        Cgroups cgroups = Cgroups.detect("sandgate-b1", LIMITS, self, mountinfo(fs, "/"));
        SandboxCgroup group = cgroups.create("web", 64L << 20);

        assertThat(cgroups).isInstanceOf(CgroupsV2.class);
        assertThat(group.procsFiles()).containsExactly(fs.resolve("unified/svc/sandgate-b1/web/cgroup.procs"));
        assertThat(read("unified/svc/sandgate-b1/cgroup.subtree_control")).isEqualTo("+memory +pids +cpu");
        assertThat(read("unified/svc/sandgate-b1/web/memory.max")).isEqualTo(Long.toString(64L << 20));
        assertThat(read("unified/svc/sandgate-b1/web/pids.max")).isEqualTo("32");
        assertThat(read("unified/svc/sandgate-b1/web/cpu.max")).isEqualTo("50000 100000");
        Files.writeString(fs.resolve("unified/svc/sandgate-b1/web/memory.events"), "low 0\nhigh 0\nmax 3\noom 1\n"
                + "oom_kill 2\n");
        assertThat(group.oomKills()).isEqualTo(2);
    }

    @Test
    void without_any_usable_hierarchy_nothing_is_enforced_and_processes_start_as_they_are() {
        Cgroups cgroups = Cgroups.detect("sandgate-b1", LIMITS, "0::/\n", "");

        assertThat(cgroups.enforced()).isFalse();
        assertThat(cgroups.create("web", 1 << 20).launcher(List.of("/bin/sh", "-c", "true")))
                .containsExactly("/bin/sh", "-c", "true");
    }

    /** A group that only joins: the files it names. */
    private static SandboxCgroup joining(List<Path> files) {
        return new SandboxCgroup() {
            @Override
            public List<Path> procsFiles() {
                return files;
            }

            @Override
            public void limitMemory(long bytes) {
            }

            @Override
            public long oomKills() {
                return 0;
            }

            @Override
            public OptionalLong cpuUsageNanos() {
                return OptionalLong.empty();
            }

            @Override
            public void remove() {
            }
        };
    }

    @Test
    void mountinfo_octal_escapes_are_decoded() {
        assertThat(Cgroups.Mount.unescape("/data\\040dir/a\\134b")).isEqualTo("/data dir/a\\b");
        assertThat(Cgroups.ownPaths(SELF_V1)).containsAllEntriesOf(Map.of("memory", "/jobs/abc", "", "/"));
    }

    @Test
    void the_join_script_writes_the_shell_own_pid_before_it_execs_whatever_the_environment_says()
            throws Exception {
        Path procs = Files.createFile(fs.resolve("cgroup.procs"));
        Path other = Files.createFile(fs.resolve("other.procs"));
        SandboxCgroup group = joining(List.of(procs, other));
        ProcessBuilder pb = new ProcessBuilder(group.launcher(List.of("/bin/sh", "-c", "echo \"$$\"")));
        pb.environment().put("IFS", "0123456789");
        pb.environment().put("PATH", fs.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();

        assertThat(out).isEqualTo(Long.toString(p.pid()));
        assertThat(Files.readString(procs).strip()).isEqualTo(out);
        assertThat(Files.readString(other).strip()).isEqualTo(out);
    }

    @Test
    void a_process_that_cannot_join_does_not_run_and_names_no_host_path() throws Exception {
        Path missing = fs.resolve("gone/cgroup.procs");
        Path ran = fs.resolve("ran");
        SandboxCgroup group = joining(List.of(missing));
        Process p = new ProcessBuilder(group.launcher(List.of("/bin/sh", "-c", "touch " + ran)))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor()).isEqualTo(SandboxCgroup.JOIN_FAILED_EXIT_CODE);
        assertThat(ran).doesNotExist();
        assertThat(out).contains("control group").doesNotContain(fs.toString());
    }
}
