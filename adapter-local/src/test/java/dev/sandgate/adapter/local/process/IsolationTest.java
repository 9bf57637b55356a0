package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.SandboxPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationTest {
    private static final Path ROOT = Path.of("/data/sandboxes/box");
    private static final Path HAND_OVER = Path.of("/private/launch-1");

    @Test
    void isolation_modes_parse_ignoring_case_and_blanks() {
        assertThat(IsolationMode.parse(" Auto ")).isEqualTo(IsolationMode.AUTO);
        assertThat(IsolationMode.parse("bwrap")).isEqualTo(IsolationMode.BWRAP);
        assertThat(IsolationMode.parse("NONE")).isEqualTo(IsolationMode.NONE);
        assertThatThrownBy(() -> IsolationMode.parse("docker")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("isolation 'docker' is unknown: use auto, bwrap or none");
    }

    @Test
    void without_isolation_the_command_runs_in_its_own_session_in_the_host_directory() {
        Isolation none = Isolation.resolve(IsolationMode.NONE);

        Launch launch = none.launch(ROOT, SandboxPath.of("/app"), ROOT.resolve("app"), "echo hi", Map.of("A", "1"));

        assertThat(none.inForce()).isEqualTo(IsolationMode.NONE);
        List<String> line = launch.commandLine(HAND_OVER);
        assertThat(line.get(0)).endsWith("setsid");
        assertThat(line.subList(1, line.size()))
                .containsExactly("-w", "/bin/sh", "-c", Isolation.UNCONFINED_PRELUDE, "/bin/sh", HAND_OVER.toString(),
                        "echo hi");
        assertThat(launch.directory()).isEqualTo(ROOT.resolve("app"));
        assertThat(new String(launch.handOver(), StandardCharsets.UTF_8)).startsWith("export PATH='")
                .contains("export HOME='/'\n", "export A='1'\n");
    }

    @Test
    void the_launcher_environment_is_fixed_and_the_request_env_goes_only_to_the_hand_over() {
        Isolation none = Isolation.resolve(IsolationMode.NONE);

        Launch launch = none.launch(ROOT, SandboxPath.ROOT, ROOT, "true", Map.of("LD_PRELOAD", "./x.so"));

        assertThat(launch.environment()).containsExactly(Map.entry("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        assertThat(launch.commandLine(HAND_OVER)).noneMatch(arg -> arg.contains("x.so"));
        assertThat(new String(launch.handOver(), StandardCharsets.UTF_8)).contains("export LD_PRELOAD='./x.so'\n");
    }

    @Test
    void the_environment_is_minimal_and_the_spec_env_wins() {
        Isolation none = Isolation.resolve(IsolationMode.NONE);

        Map<String, String> env = none.environment(Map.of("TERM", "xterm", "A", "1"));

        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG", "TERM", "A")
                .containsEntry("HOME", "/")
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("TERM", "xterm");
    }

    @Test
    void exported_values_are_single_quoted_and_the_scripts_own_names_come_last() {
        String script = new String(WarmShell.exports(Map.of("Q", "it's $(x)", "__sg_pwd", "mine")),
                StandardCharsets.UTF_8);

        assertThat(script).startsWith("export Q='it'\\''s $(x)'\n")
                .endsWith("unset __sg_ppid __sg_pwd\nexport __sg_pwd='mine'\n");
    }

    @Test
    void auto_never_stays_auto() {
        assertThat(Isolation.resolve(IsolationMode.AUTO).inForce()).isIn(IsolationMode.BWRAP, IsolationMode.NONE);
    }

    @Test
    void under_bwrap_the_sandbox_root_is_bound_at_slash_with_namespaces_and_the_working_directory() {
        Isolation bwrap;
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            assertThat(e).hasMessageStartingWith("isolation 'bwrap' was requested but ");
            return;
        }

        Launch launch = bwrap.launch(ROOT, SandboxPath.of("/app"), ROOT.resolve("app"), "echo hi", Map.of("A", "1"));

        List<String> args = List.of(new String(launch.handOver(), StandardCharsets.UTF_8).split("\0"));
        String joined = String.join(" ", args);
        assertThat(joined).contains("--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--bind " + ROOT + " /", "--ro-bind /usr /usr", "--proc /proc", "--dev /dev", "--chdir /app",
                "--clearenv", "--setenv HOME /", "--setenv A 1")
                .doesNotContain("--unshare-net", "--new-session", "/etc/shadow");
        List<String> line = launch.commandLine(HAND_OVER);
        assertThat(line).endsWith("/bin/sh", "-c", Isolation.BWRAP_WRAPPER, "/bin/sh", HAND_OVER.toString(),
                line.get(line.size() - 6), "--args", "3", "/bin/sh", "-c", "echo hi");
        assertThat(line.get(line.size() - 6)).endsWith("bwrap");
        assertThat(line).noneMatch(arg -> arg.contains(ROOT.toString()));
        assertThat(launch.directory()).isEqualTo(Path.of("/"));
        assertThat(launch.environment()).containsExactly(Map.entry("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
    }
}
