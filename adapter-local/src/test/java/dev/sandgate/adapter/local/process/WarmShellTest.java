package dev.sandgate.adapter.local.process;

import static dev.sandgate.adapter.local.process.ProcessTestSupport.alive;
import static dev.sandgate.adapter.local.process.ProcessTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A command handed to a warm shell runs as it would in a process spawned for it: the same command, environment and
 * working directory give the same output and exit code either way. And the shells themselves come and go as they
 * should.
 */
class WarmShellTest {
    private static final ProcessSettings SETTINGS = ProcessSettings.defaults()
            .toBuilder().stopGracePeriod(Duration.ofSeconds(1))
            .defaultWaitTimeout(Duration.ofSeconds(10)).build();
    private static Isolation none;

    @TempDir
    Path root;
    private LocalProcesses warm;
    private LocalProcesses cold;

    @BeforeAll
    static void isolation() {
        none = Isolation.resolve(IsolationMode.NONE);
    }

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(root.resolve("app/src"));
        warm = new LocalProcesses(SandboxName.of("warm"), root, SETTINGS, none, Clock.systemUTC());
        cold = new LocalProcesses(SandboxName.of("cold"), root, SETTINGS.toBuilder().warmShellIdle(Duration.ZERO).build(), none,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        warm.close();
        cold.close();
    }

    private static ProcessInfo run(LocalProcesses in, ProcessSpec spec) {
        return in.exec(spec.withWaitForCompletion(true));
    }

    static Stream<ProcessSpec> commands() {
        Map<String, String> awkward = new LinkedHashMap<>();
        awkward.put("MULTI", "line one\nline two\n");
        awkward.put("QUOTES", "it's \"quoted\" `not run` $(not run) $HOME \\n \\\\");
        awkward.put("EMPTY", "");
        awkward.put("UNICODE", "żółw — 龜 🐢");
        awkward.put("SPACES", "  leading and trailing  ");
        awkward.put("PATH", "/usr/bin:/bin");
        awkward.put("IFS", ":");
        return Stream.of(
                ProcessSpec.of("env | LC_ALL=C sort").withEnv(awkward),
                ProcessSpec.of("echo \"[$IFS]\" \"$OPTIND\" \"$OLDPWD\" \"$PWD\"; [ \"$PPID\" = 1 ] || echo real-ppid; "
                        + "env | grep -E '^(IFS|OPTIND|PPID|PWD|OLDPWD)=' | LC_ALL=C sort")
                        .withEnv(Map.of("IFS", ":", "OPTIND", "3", "PPID", "1", "PWD", "/nonexistent", "OLDPWD", "/x")),
                ProcessSpec.of("echo \"$PWD\"").withEnv(Map.of("PWD", "/app/../app/src/..")).withWorkingDir("/app"),
                ProcessSpec.of("printf '%s|' \"$MULTI\" \"$QUOTES\" \"$EMPTY\" \"$UNICODE\" \"$SPACES\"").withEnv(awkward),
                ProcessSpec.of("pwd; echo \"$PWD\"; echo \"${OLDPWD-unset}\"").withWorkingDir("/app/src"),
                ProcessSpec.of("echo \"$0\" \"$#\" \"$*\"; set | grep -c __sg_ || true"),
                ProcessSpec.of("readlink /proc/self/fd/0; cat; echo after-cat"),
                ProcessSpec.of("[ \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\" ] && echo leads-its-group"),
                ProcessSpec.of("echo one\necho two\n\ncat <<EOF\nhere $HOME\nEOF\necho \"line $LINENO\""),
                ProcessSpec.of("trap 'echo bye' EXIT; echo hi; exit 7"),
                ProcessSpec.of("set -e; false; echo not reached"),
                ProcessSpec.of("(exit 4)"),
                ProcessSpec.of("echo unterminated 'quote"),
                ProcessSpec.of("exec sh -c 'echo replaced; exit 5'"),
                ProcessSpec.of("# only a comment"));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void a_command_gives_the_same_output_and_exit_code_through_a_warm_shell(ProcessSpec spec) {
        warm.prestartWarmShell();

        ProcessInfo viaShell = run(warm, spec);
        ProcessInfo spawned = run(cold, spec);

        assertThat(warm.warmShellsUsed()).isEqualTo(1);
        assertThat(viaShell.status()).isEqualTo(spawned.status());
        assertThat(viaShell.exitCode()).isEqualTo(spawned.exitCode());
        ProcessLogs a = warm.logs(viaShell.pid());
        ProcessLogs b = cold.logs(spawned.pid());
        assertThat(a.stdout()).isEqualTo(b.stdout());
        // the shell's own messages name eval ("sh: 1: eval: Syntax error: ..."), as do those of a process spawned
        // without isolation, which evaluates its command after the hand-over too; the rest is the same
        assertThat(a.stderr().replace(" eval: ", " ")).isEqualTo(b.stderr().replace(" eval: ", " "));
    }

    @Test
    void the_awkward_values_arrive_intact() {
        warm.prestartWarmShell();
        ProcessSpec spec = commands().filter(c -> c.command().startsWith("printf")).findFirst().orElseThrow();

        ProcessInfo info = run(warm, spec);

        assertThat(warm.logs(info.pid()).stdout()).isEqualTo("line one\nline two\n|it's \"quoted\" `not run` "
                + "$(not run) $HOME \\n \\\\||żółw — 龜 🐢|  leading and trailing  |\n");
    }

    @Test
    void after_an_exec_the_next_one_finds_a_shell_waiting_and_runs_as_that_process() {
        ProcessInfo first = run(warm, ProcessSpec.of("true"));
        assertThat(warm.warmShellsUsed()).isZero();
        Process shell = warm.warmShell().orElseThrow();

        ProcessInfo second = run(warm, ProcessSpec.of("echo $$"));

        assertThat(warm.warmShellsUsed()).isEqualTo(1);
        assertThat(second.pid()).isEqualTo(Long.toString(shell.pid())).isNotEqualTo(first.pid());
        assertThat(warm.logs(second.pid()).stdout().strip()).isEqualTo(second.pid());
        assertThat(warm.warmShell()).isPresent().get().isNotSameAs(shell);
    }

    @Test
    void a_warm_shell_left_idle_is_retired() {
        LocalProcesses quick = new LocalProcesses(SandboxName.of("quick"), root,
                SETTINGS.toBuilder().warmShellIdle(Duration.ofMillis(200)).build(), none, Clock.systemUTC());
        try {
            quick.prestartWarmShell();
            long pid = quick.warmShell().orElseThrow().pid();

            eventually("the idle shell " + pid + " exits", () -> !alive(pid));
            assertThat(quick.warmShell()).isEmpty();
            ProcessInfo info = run(quick, ProcessSpec.of("echo still works"));
            assertThat(info.status()).isEqualTo(ProcessStatus.COMPLETED);
            assertThat(quick.warmShellsUsed()).isZero();
            assertThat(quick.listProcesses()).hasSize(1);
        } finally {
            quick.close();
        }
    }

    @Test
    void close_retires_the_warm_shell() {
        warm.prestartWarmShell();
        long pid = warm.warmShell().orElseThrow().pid();

        warm.close();

        eventually("the warm shell " + pid + " exits", () -> !alive(pid));
    }

    @Test
    void a_warm_shell_that_died_is_not_used_and_the_process_is_spawned() {
        warm.prestartWarmShell();
        Process shell = warm.warmShell().orElseThrow();
        shell.destroyForcibly();
        eventually("the shell dies", () -> !shell.isAlive());

        ProcessInfo info = run(warm, ProcessSpec.of("echo spawned"));

        assertThat(info.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(warm.logs(info.pid()).stdout()).isEqualTo("spawned\n");
        assertThat(warm.warmShellsUsed()).isZero();
    }

    @Test
    void requests_a_shell_cannot_take_are_spawned_and_the_shell_is_kept_for_the_next() {
        warm.prestartWarmShell();
        Process shell = warm.warmShell().orElseThrow();
        String big = "x".repeat(WarmShell.MAX_REQUEST_BYTES);

        ProcessInfo large = run(warm, ProcessSpec.of(": " + big + "; echo large"));
        ProcessInfo prefixed = run(warm, ProcessSpec.of("echo \"$__sg_mine\"").withEnv(Map.of("__sg_mine", "kept")));

        assertThat(warm.logs(large.pid()).stdout()).isEqualTo("large\n");
        assertThat(warm.logs(prefixed.pid()).stdout()).isEqualTo("kept\n");
        assertThat(warm.warmShellsUsed()).isZero();
        assertThat(warm.warmShell()).contains(shell);
        assertThat(shell.isAlive()).isTrue();
    }

    @Test
    void a_request_is_refused_for_the_script_prefix_nul_and_size_and_encodes_lines_otherwise() {
        assertThat(WarmShell.request("/", Map.of("__sg_x", "1"), "true")).isEmpty();
        assertThat(WarmShell.request("/", Map.of("A", "a\0b"), "true")).isEmpty();
        assertThat(WarmShell.request("/", Map.of(), "x".repeat(WarmShell.MAX_REQUEST_BYTES))).isEmpty();

        byte[] request = WarmShell.request("/d", Map.of("A", "1\n2"), "echo\n").orElseThrow();

        assertThat(new String(request, StandardCharsets.UTF_8)).isEqualTo("1\n/d\n1\n1\n2\nA=1\n2\n1\n0\n2\necho\n\n");
    }

    @Test
    void a_shell_whose_input_closes_before_a_whole_request_exits_without_running_anything() throws Exception {
        for (String partial : List.of("", "1\n/\n", "1\n/\n1\n0\n2\necho one\n")) {
            Process shell = none.launch(root, dev.sandgate.domain.SandboxPath.ROOT, root, WarmShell.SCRIPT, Map.of())
                    .start(true);
            try (var in = shell.getOutputStream()) {
                in.write(partial.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    + new String(shell.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(shell.waitFor()).as("exit code after %s", partial.replace("\n", "\\n"))
                    .isEqualTo(WarmShell.RETIRED_EXIT_CODE);
            assertThat(output).isEmpty();
        }
    }
}
