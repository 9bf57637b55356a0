package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.SandboxPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationTest {
    private static final Path ROOT = Path.of("/data/sandboxes/box");

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

        List<String> line = none.commandLine(ROOT, SandboxPath.of("/app"), "echo hi");

        assertThat(none.inForce()).isEqualTo(IsolationMode.NONE);
        assertThat(line).endsWith("/bin/sh", "-c", "echo hi");
        assertThat(line.get(0)).endsWith("setsid");
        assertThat(none.directory(ROOT, SandboxPath.of("/app"))).isEqualTo(ROOT.resolve("app"));
    }

    @Test
    void the_environment_is_minimal_and_the_spec_env_wins() {
        Isolation none = Isolation.resolve(IsolationMode.NONE);

        Map<String, String> env = none.environment(ROOT, Map.of("TERM", "xterm", "A", "1"));

        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG", "TERM", "A")
                .containsEntry("HOME", ROOT.toString())
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("TERM", "xterm");
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

        List<String> line = bwrap.commandLine(ROOT, SandboxPath.of("/app"), "echo hi");

        String joined = String.join(" ", line);
        assertThat(joined).contains("--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--bind " + ROOT + " /", "--ro-bind /usr /usr", "--proc /proc", "--dev /dev", "--chdir /app")
                .doesNotContain("--unshare-net", "--new-session", "/etc/shadow");
        assertThat(line).endsWith("/bin/sh", "-c", "echo hi");
        assertThat(bwrap.environment(ROOT, Map.of())).containsEntry("HOME", "/");
        assertThat(bwrap.directory(ROOT, SandboxPath.of("/app"))).isEqualTo(ROOT);
    }
}
