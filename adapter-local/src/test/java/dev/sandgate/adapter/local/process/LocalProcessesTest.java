package dev.sandgate.adapter.local.process;

import static dev.sandgate.adapter.local.process.ProcessTestSupport.alive;
import static dev.sandgate.adapter.local.process.ProcessTestSupport.eventually;
import static dev.sandgate.adapter.local.process.ProcessTestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.process.ProcessTestSupport.Recorder;
import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real OS processes without isolation: lifecycle, names, signals, output, streaming, retention, restarts. */
class LocalProcessesTest {
    private static final ProcessSettings SETTINGS = ProcessSettings.defaults()
            .toBuilder().stopGracePeriod(Duration.ofSeconds(1))
            .outputBufferBytes(64 * 1024)
            .defaultWaitTimeout(Duration.ofSeconds(10)).build();
    private static Isolation none;

    @TempDir
    Path root;
    private LocalProcesses processes;

    @BeforeAll
    static void isolation() {
        none = Isolation.resolve(IsolationMode.NONE);
    }

    @BeforeEach
    void start() {
        processes = create(SETTINGS, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        processes.close();
    }

    /**
     * Whether each test's processes start through a warm shell (see {@link WarmShell}), as they do after a sandbox's
     * first exec; {@link LocalProcessesWithoutWarmShellsTest} runs every test with each process spawned.
     */
    boolean warmShells() {
        return true;
    }

    private LocalProcesses create(ProcessSettings settings, Clock clock) {
        LocalProcesses created = new LocalProcesses(SandboxName.of("box"), root,
                warmShells() ? settings : settings.toBuilder().warmShellIdle(Duration.ZERO).build(), none, clock);
        if (warmShells()) {
            created.prestartWarmShell();
        }
        return created;
    }

    private ProcessInfo run(String command) {
        return processes.exec(ProcessSpec.of(command).withWaitForCompletion(true));
    }

    private String awaitFirstStdoutLine(String id) {
        eventually("a first line of output from " + id, () -> !processes.logs(id).stdout().isEmpty());
        return processes.logs(id).stdout().lines().findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------ basics

    @Test
    void a_command_that_succeeds_is_completed_with_its_output() {
        ProcessInfo info = run("echo hello; echo oops 1>&2");

        assertThat(info.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(info.exitCode()).contains(0);
        assertThat(info.completedAt()).isPresent();
        ProcessLogs logs = processes.logs(info.pid());
        assertThat(logs.stdout()).isEqualTo("hello\n");
        assertThat(logs.stderr()).isEqualTo("oops\n");
        assertThat(logs.logs()).contains("hello\n").contains("oops\n");
        assertThat(logs.truncated()).isFalse();
    }

    @Test
    void the_first_process_starts_through_the_warm_shell_when_there_is_one() {
        run("true");

        assertThat(processes.warmShellsUsed()).isEqualTo(warmShells() ? 1 : 0);
    }

    @Test
    void a_command_that_fails_is_failed_with_its_exit_code() {
        ProcessInfo info = run("exit 3");

        assertThat(info.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(info.exitCode()).contains(3);
    }

    @Test
    void times_come_from_the_clock_and_the_pid_is_the_os_pid() {
        Instant t = Instant.parse("2026-11-23T09:00:07Z");
        processes.close();
        processes = create(SETTINGS, Clock.fixed(t, ZoneOffset.UTC));

        ProcessInfo info = run("echo $$");

        assertThat(info.startedAt()).isEqualTo(t);
        assertThat(info.completedAt()).contains(t);
        assertThat(processes.logs(info.pid()).stdout().strip()).isEqualTo(info.pid());
    }

    @Test
    void the_working_directory_defaults_to_the_sandbox_root_and_can_be_set() throws IOException {
        Files.createDirectories(root.resolve("app/src"));

        ProcessInfo atRoot = run("pwd");
        ProcessInfo inApp = processes.exec(ProcessSpec.of("pwd").withWorkingDir("/app/src").withWaitForCompletion(true));

        assertThat(processes.logs(atRoot.pid()).stdout().strip()).isEqualTo(root.toRealPath().toString());
        assertThat(processes.logs(inApp.pid()).stdout().strip())
                .isEqualTo(root.resolve("app/src").toRealPath().toString());
        assertThat(inApp.workingDir().value()).isEqualTo("/app/src");
    }

    @Test
    void a_missing_working_directory_is_unprocessable() {
        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("pwd").withWorkingDir("/nope")))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE))
                .hasMessage("could not execute command 'pwd' because folder '/nope' does not exist");
        assertThat(processes.listProcesses()).isEmpty();
    }

    @Test
    void a_working_directory_that_leads_outside_the_sandbox_is_refused(@TempDir Path elsewhere) throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), elsewhere);

        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("pwd").withWorkingDir("/escape")))
                .isInstanceOf(SandgateException.InvalidRequest.class)
                .hasMessageContaining("outside the sandbox");
    }

    @Test
    void the_environment_is_built_from_scratch_with_the_spec_env_over_it() {
        ProcessInfo info = processes.exec(ProcessSpec.of("env").withEnv(Map.of("GREETING", "hi there", "LANG", "C"))
                .withWaitForCompletion(true));

        Map<String, String> env = processes.logs(info.pid()).stdout().lines()
                .filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1),
                        (a, b) -> b));
        Set<String> shellOwn = Set.of("PWD", "SHLVL", "_", "OLDPWD");
        Set<String> expected = new HashSet<>(Set.of("PATH", "HOME", "LANG", "TERM", "GREETING"));
        assertThat(env.keySet()).containsAll(expected);
        expected.addAll(shellOwn);
        assertThat(env.keySet()).isSubsetOf(expected);
        assertThat(env).containsEntry("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .containsEntry("HOME", "/")
                .containsEntry("TERM", "dumb")
                .containsEntry("LANG", "C")
                .containsEntry("GREETING", "hi there");
        Set<String> leaked = new HashSet<>(System.getenv().keySet());
        leaked.removeAll(expected);
        assertThat(env.keySet()).doesNotContainAnyElementsOf(leaked);
    }

    // ------------------------------------------------------------------------------------------------ names and ids

    @Test
    void a_process_is_found_by_pid_and_by_name_and_the_default_name_is_random() {
        ProcessInfo named = processes.exec(ProcessSpec.of("true").withName("job").withWaitForCompletion(true));
        ProcessInfo unnamed = run("true");

        assertThat(processes.getProcess("job")).isEqualTo(named);
        assertThat(processes.getProcess(named.pid())).isEqualTo(named);
        assertThat(unnamed.name().value()).matches("proc-[0-9a-f]+");
    }

    @Test
    void a_running_name_cannot_be_reused_but_a_finished_one_can_and_the_newest_wins() {
        ProcessInfo first = processes.exec(ProcessSpec.of("sleep 300").withName("web"));

        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("sleep 300").withName("web")))
                .isInstanceOf(SandgateException.Conflict.class)
                .hasMessage("process with name 'web' already exists and is running");

        processes.killProcess("web");
        ProcessInfo second = processes.exec(ProcessSpec.of("sleep 300").withName("web"));
        assertThat(processes.getProcess("web").pid()).isEqualTo(second.pid()).isNotEqualTo(first.pid());
        assertThat(processes.getProcess(first.pid()).status()).isEqualTo(ProcessStatus.KILLED);
    }

    @Test
    void unknown_identifiers_are_not_found() {
        assertThatThrownBy(() -> processes.getProcess("nope")).isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("process not found");
        assertThatThrownBy(() -> processes.stopProcess("123456789")).isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> processes.killProcess("nope")).isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> processes.logs("nope")).isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> processes.streamLogs("nope", new Recorder()))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void the_list_holds_running_and_finished_processes_oldest_first() {
        ProcessInfo a = run("true");
        ProcessInfo b = processes.exec(ProcessSpec.of("sleep 300"));
        ProcessInfo c = run("exit 1");

        assertThat(processes.listProcesses()).extracting(ProcessInfo::pid).containsExactly(a.pid(), b.pid(), c.pid());
        assertThat(processes.listProcesses()).extracting(ProcessInfo::status)
                .containsExactly(ProcessStatus.COMPLETED, ProcessStatus.RUNNING, ProcessStatus.FAILED);
    }

    // ------------------------------------------------------------------------------------------------ stop and kill

    @Test
    void stop_ends_a_process_as_stopped_and_a_second_stop_is_not_found() {
        ProcessInfo started = processes.exec(ProcessSpec.of("sleep 300"));

        ProcessInfo stopped = processes.stopProcess(started.pid());

        assertThat(stopped.status()).isEqualTo(ProcessStatus.STOPPED);
        eventually("the stopped process has an exit code", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
        assertThatThrownBy(() -> processes.stopProcess(started.pid())).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void stop_lets_a_process_handle_sigterm() {
        ProcessInfo started = processes.exec(ProcessSpec.of("trap 'echo bye; exit 0' TERM; echo ready; "
                + "while true; do sleep 0.05; done"));
        awaitFirstStdoutLine(started.pid());

        processes.stopProcess(started.pid());

        eventually("the process exits", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        ProcessInfo info = processes.getProcess(started.pid());
        assertThat(info.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(info.exitCode()).contains(0);
        assertThat(processes.logs(started.pid()).stdout()).isEqualTo("ready\nbye\n");
    }

    // ------------------------------------------------------------------------------------------------ stdin

    @Test
    void a_process_started_with_stdin_reads_what_is_written_and_ends_at_its_close() {
        ProcessInfo cat = processes.exec(ProcessSpec.of("cat; echo done").withStdin(true));

        processes.writeStdin(cat.pid(), "line one\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        eventually("cat echoes the first line", () -> processes.logs(cat.pid()).stdout().equals("line one\n"));
        processes.writeStdin(cat.pid(), "żółw two".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        processes.closeStdin(cat.pid());
        processes.closeStdin(cat.pid()); // idempotent

        eventually("cat ends at end of input", () -> !processes.getProcess(cat.pid()).isRunning());
        assertThat(processes.getProcess(cat.pid()).status()).isEqualTo(ProcessStatus.COMPLETED);
        // cat copies the last partial line as it is
        assertThat(processes.logs(cat.pid()).stdout()).isEqualTo("line one\nżółw twodone\n");
    }

    @Test
    void without_stdin_a_process_reads_an_empty_input_and_writes_are_refused() {
        ProcessInfo info = processes.exec(ProcessSpec.of("cat; echo \"read $?\"; sleep 30"));
        eventually("cat read end of input", () -> processes.logs(info.pid()).stdout().equals("read 0\n"));

        assertThatThrownBy(() -> processes.writeStdin(info.pid(), new byte[] {'x'}))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("not started with stdin");
        assertThatThrownBy(() -> processes.closeStdin(info.pid()))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        processes.killProcess(info.pid());
    }

    @Test
    void stdin_of_a_closed_input_a_finished_process_or_an_unknown_one_is_refused() {
        ProcessInfo cat = processes.exec(ProcessSpec.of("cat >/dev/null; sleep 30").withStdin(true));
        processes.closeStdin(cat.pid());

        assertThatThrownBy(() -> processes.writeStdin(cat.pid(), new byte[] {'x'}))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("closed");
        processes.killProcess(cat.pid());
        assertThatThrownBy(() -> processes.writeStdin("cat-unknown", new byte[] {'x'}))
                .isInstanceOf(SandgateException.NotFound.class);
        ProcessInfo done = processes.exec(ProcessSpec.of("true").withStdin(true).withWaitForCompletion(true));
        assertThatThrownBy(() -> processes.writeStdin(done.pid(), new byte[] {'x'}))
                .isInstanceOf(SandgateException.NotFound.class).hasMessageContaining("not running");
    }

    @Test
    void a_write_to_a_process_that_does_not_read_fails_with_unavailable_instead_of_hanging() {
        ProcessInfo sleeper = processes.exec(ProcessSpec.of("sleep 60").withStdin(true));
        byte[] chunk = new byte[1024 * 1024];

        long start = System.nanoTime();
        assertThatThrownBy(() -> processes.writeStdin(sleeper.pid(), chunk))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("has not read its input");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        processes.killProcess(sleeper.pid());
        eventually("the killed process ends", () -> !processes.getProcess(sleeper.pid()).isRunning());
    }

    @Test
    void kill_ends_a_process_as_killed_with_exit_code_137() {
        ProcessInfo started = processes.exec(ProcessSpec.of("sleep 300").withName("k"));

        processes.killProcess("k");

        eventually("the killed process has an exit code", () -> processes.getProcess("k").exitCode().isPresent());
        ProcessInfo info = processes.getProcess(started.pid());
        assertThat(info.status()).isEqualTo(ProcessStatus.KILLED);
        assertThat(info.exitCode()).contains(137);
        assertThat(info.completedAt()).isPresent();
    }

    @Test
    void stop_reaches_a_grandchild_that_ignores_sigterm() {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "sh -c 'trap \"\" TERM; exec sleep 300' & echo $!; wait"));
        long grandchild = Long.parseLong(awaitFirstStdoutLine(started.pid()));
        assertThat(alive(grandchild)).isTrue();

        processes.stopProcess(started.pid());

        eventually("the grandchild " + grandchild + " is gone", () -> !alive(grandchild));
        eventually("the process is finished", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void stop_kills_after_the_grace_period_when_everything_ignores_sigterm() {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "trap '' TERM; sh -c 'exec sleep 300' & echo $!; while true; do sleep 0.05; done"));
        long child = Long.parseLong(awaitFirstStdoutLine(started.pid()));

        processes.stopProcess(started.pid());

        eventually("the process is finished after the grace period",
                () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(processes.getProcess(started.pid()).exitCode()).contains(137);
        eventually("the child " + child + " is gone", () -> !alive(child));
    }

    @Test
    void kill_reaches_a_grandchild_that_left_for_the_background() {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "sh -c 'trap \"\" TERM; exec sleep 300' & echo $!; wait"));
        long grandchild = Long.parseLong(awaitFirstStdoutLine(started.pid()));

        processes.killProcess(started.pid());

        eventually("the grandchild " + grandchild + " is gone", () -> !alive(grandchild));
    }

    @Test
    void children_do_not_outlive_a_process_that_exits_on_its_own() {
        ProcessInfo done = run("sleep 300 >/dev/null 2>&1 & echo $!");

        long child = Long.parseLong(processes.logs(done.pid()).stdout().strip());

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        eventually("the background child " + child + " is gone", () -> !alive(child));
    }

    // ------------------------------------------------------------------------------------------------ output

    @Test
    void the_output_buffer_drops_the_oldest_lines_and_says_so() {
        processes.close();
        processes = create(SETTINGS.toBuilder().outputBufferBytes(4096).build(), Clock.systemUTC());

        ProcessInfo info = run("i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done");

        ProcessLogs logs = processes.logs(info.pid());
        assertThat(logs.truncated()).isTrue();
        assertThat(logs.stdout()).startsWith(OutputBuffer.TRUNCATION_MARKER + "\n").endsWith("line-499\n")
                .doesNotContain("line-0\n");
        assertThat(logs.logs()).isEqualTo(logs.stdout());
        assertThat(logs.stderr()).isEmpty();
        assertThat(logs.logs().length()).isLessThan(4096);

        Recorder recorder = new Recorder();
        processes.streamLogs(info.pid(), recorder);
        recorder.awaitDone();
        assertThat(recorder.lines.get(0)).isEqualTo(LogLine.stdout(OutputBuffer.TRUNCATION_MARKER));
        assertThat(recorder.texts()).endsWith("line-499");
    }

    @Test
    void a_long_line_without_line_feed_is_cut_and_a_last_partial_line_is_kept() {
        ProcessInfo info = run("head -c 50000 /dev/zero | tr '\\0' 'x'; printf 'end'");

        String stdout = processes.logs(info.pid()).stdout();
        assertThat(stdout.lines().mapToInt(String::length).max().orElse(0)).isLessThanOrEqualTo(OutputBuffer.MAX_LINE_BYTES);
        assertThat(stdout).endsWith("xend\n");
        assertThat(stdout.replace("\n", "")).hasSize(50_003);
    }

    // ------------------------------------------------------------------------------------------------ streaming

    @Test
    void a_stream_replays_the_buffer_then_delivers_live_lines_then_ends() throws IOException {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "echo first; echo warn 1>&2; while [ ! -f go ]; do sleep 0.02; done; echo second"));
        eventually("the first lines", () -> processes.logs(started.pid()).logs().contains("warn")
                && processes.logs(started.pid()).logs().contains("first"));

        Recorder recorder = new Recorder();
        processes.streamLogs(started.pid(), recorder);
        eventually("the replay", () -> recorder.lines.size() == 2);
        assertThat(recorder.ends).hasValue(0);
        Files.writeString(root.resolve("go"), "");
        recorder.awaitDone();

        // stdout and stderr are separate pipes, so the first two may be read in either order
        assertThat(recorder.lines).hasSize(3);
        assertThat(recorder.lines.subList(0, 2)).containsExactlyInAnyOrder(LogLine.stdout("first"),
                LogLine.stderr("warn"));
        assertThat(recorder.lines.get(2)).isEqualTo(LogLine.stdout("second"));
        assertThat(recorder.ends).hasValue(1);
        assertThat(recorder.threads).allMatch(t -> t.contains("-logs-"));
        assertThat(processes.subscriberCount(started.pid())).isZero();
    }

    @Test
    void a_stream_of_a_finished_process_replays_and_ends_at_once() {
        ProcessInfo info = run("echo a; echo b");

        Recorder recorder = new Recorder();
        processes.streamLogs(info.pid(), recorder);
        recorder.awaitDone();

        assertThat(recorder.texts()).containsExactly("a", "b");
        assertThat(recorder.ends).hasValue(1);
        assertThat(recorder.error).hasValue(null);
    }

    @Test
    void a_stream_resumed_after_a_cursor_gets_exactly_the_later_lines_then_live_ones() throws IOException {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "echo 1; echo 2; echo 3; while [ ! -f go ]; do sleep 0.02; done; echo 4"));
        eventually("the first lines", () -> processes.logs(started.pid()).stdout().contains("3"));
        Recorder first = new Recorder();
        processes.streamLogs(started.pid(), 0, first).cancel();

        Recorder resumed = new Recorder();
        processes.streamLogs(started.pid(), 2, resumed);
        eventually("the replay after cursor 2", () -> resumed.lines.size() == 1);
        Files.writeString(root.resolve("go"), "");
        resumed.awaitDone();

        assertThat(resumed.texts()).containsExactly("3", "4");
        assertThat(resumed.cursors).containsExactly(3L, 4L);
        assertThat(resumed.dropped).hasValue(0);
        assertThatThrownBy(() -> processes.streamLogs(started.pid(), 5, new Recorder()))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void a_stream_resumed_after_lines_the_buffer_dropped_is_told_how_many_before_the_kept_ones() {
        processes.close();
        processes = create(SETTINGS.toBuilder().outputBufferBytes(4096).build(), Clock.systemUTC());
        ProcessInfo info = run("i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done");

        Recorder recorder = new Recorder();
        processes.streamLogs(info.pid(), 10, recorder);
        recorder.awaitDone();

        assertThat(recorder.dropped.get()).isPositive();
        assertThat(recorder.cursors.get(0)).isEqualTo(10 + recorder.dropped.get() + 1);
        assertThat(recorder.texts()).doesNotContain(OutputBuffer.TRUNCATION_MARKER).endsWith("line-499");
        assertThat(recorder.cursors).last().isEqualTo(500L);
    }

    @Test
    void a_cancelled_subscription_is_released_and_hears_nothing_more() throws IOException {
        ProcessInfo started = processes.exec(ProcessSpec.of(
                "echo one; while [ ! -f go ]; do sleep 0.02; done; echo two"));
        awaitFirstStdoutLine(started.pid());
        Recorder recorder = new Recorder();
        LogSubscription subscription = processes.streamLogs(started.pid(), recorder);
        eventually("the replay", () -> recorder.lines.size() == 1);
        assertThat(processes.subscriberCount(started.pid())).isEqualTo(1);

        subscription.cancel();
        subscription.cancel();

        assertThat(processes.subscriberCount(started.pid())).isZero();
        Files.writeString(root.resolve("go"), "");
        eventually("the process ends", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        Recorder after = new Recorder();
        processes.streamLogs(started.pid(), after);
        after.awaitDone();
        assertThat(recorder.texts()).containsExactly("one");
        assertThat(recorder.ends).hasValue(0);
    }

    @Test
    void a_subscriber_that_falls_behind_is_dropped_with_unavailable() {
        processes.close();
        processes = create(SETTINGS.toBuilder().subscriberQueueLines(100).build(), Clock.systemUTC());
        ProcessInfo started = processes.exec(ProcessSpec.of("echo start; while [ ! -f go ]; do sleep 0.02; done; "
                + "i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done"));
        awaitFirstStdoutLine(started.pid());
        CountDownLatch gate = new CountDownLatch(1);
        Recorder slow = new Recorder(gate);
        processes.streamLogs(started.pid(), slow);
        eventually("the slow subscriber is inside its first callback", () -> slow.threads.size() == 1);

        try {
            Files.writeString(root.resolve("go"), "");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        eventually("the process ends", () -> processes.getProcess(started.pid()).exitCode().isPresent());
        assertThat(processes.subscriberCount(started.pid())).isZero();
        gate.countDown();
        slow.awaitDone();

        assertThat(slow.error.get()).isInstanceOf(SandgateException.Unavailable.class)
                .hasMessage("log subscriber fell behind");
        assertThat(slow.ends).hasValue(0);
        assertThat(slow.lines.size()).isLessThanOrEqualTo(101);
    }

    // ------------------------------------------------------------------------------------------------ retention

    @Test
    void only_the_newest_finished_records_are_kept() {
        processes.close();
        processes = create(SETTINGS.toBuilder().retainedFinishedProcesses(2).build(), Clock.systemUTC());
        ProcessInfo running = processes.exec(ProcessSpec.of("sleep 300"));
        List<ProcessInfo> finished = List.of(run("true"), run("true"), run("true"), run("true"));

        assertThat(processes.listProcesses()).extracting(ProcessInfo::pid)
                .containsExactly(running.pid(), finished.get(2).pid(), finished.get(3).pid());
        assertThatThrownBy(() -> processes.getProcess(finished.get(0).pid()))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    // ------------------------------------------------------------------------------------------------ restarts, timeouts

    @Test
    void a_failing_process_is_restarted_up_to_max_restarts_under_the_same_identifier() {
        ProcessInfo info = processes.exec(ProcessSpec.of("echo run; exit 3").withRestartOnFailure(2)
                .withWaitForCompletion(true));

        assertThat(info.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(info.exitCode()).contains(3);
        assertThat(info.restartCount()).isEqualTo(2);
        assertThat(info.restartOnFailure()).isTrue();
        assertThat(info.maxRestarts()).isEqualTo(2);
        assertThat(processes.getProcess(info.pid())).isEqualTo(info);
        assertThat(processes.logs(info.pid()).stdout()).isEqualTo("run\nrun\nrun\n");
    }

    @Test
    void a_restarted_process_keeps_its_identifier_while_the_os_pid_changes() {
        ProcessInfo started = processes.exec(ProcessSpec.of("[ -f again ] && exec sleep 300; touch again; exit 1")
                .withName("flaky").withRestartOnFailure(-1));

        eventually("a restart", () -> processes.getProcess("flaky").restartCount() == 1
                && processes.osPid("flaky").isPresent());

        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(processes.osPid(started.pid()).getAsLong()).isNotEqualTo(Long.parseLong(started.pid()));
        processes.stopProcess(started.pid());
        eventually("the stop", () -> processes.getProcess("flaky").exitCode().isPresent());
        assertThat(processes.getProcess("flaky").status()).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void a_keep_alive_process_is_killed_after_its_timeout() {
        ProcessInfo started = processes.exec(ProcessSpec.of("sleep 300").withKeepAlive(true)
                .withTimeout(Duration.ofMillis(300)));
        assertThat(started.keepAlive()).isTrue();

        eventually("the timeout kill", () -> processes.getProcess(started.pid()).exitCode().isPresent());

        assertThat(processes.getProcess(started.pid()).status()).isEqualTo(ProcessStatus.KILLED);
        assertThat(processes.getProcess(started.pid()).exitCode()).contains(137);
    }

    @Test
    void wait_for_completion_answers_the_running_process_when_the_timeout_passes() {
        ProcessInfo info = processes.exec(ProcessSpec.of("sleep 300").withWaitForCompletion(true)
                .withTimeout(Duration.ofMillis(200)));

        assertThat(info.status()).isEqualTo(ProcessStatus.RUNNING);
    }

    // ------------------------------------------------------------------------------------------------ ports

    @Test
    void wait_for_ports_answers_once_the_port_accepts_connections() {
        int port = freePort();

        ProcessInfo info = processes.exec(ProcessSpec.of("exec python3 -m http.server " + port + " --bind 127.0.0.1")
                .withName("web").withWaitForPorts(port).withTimeout(Duration.ofSeconds(20)));

        assertThat(info.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(connects(port)).isTrue();
    }

    @Test
    void wait_for_ports_fails_when_the_process_exits_first() {
        int port = freePort();

        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("exit 2").withWaitForPorts(port)))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE))
                .hasMessageContaining("exited with code 2");
    }

    @Test
    void wait_for_ports_fails_when_the_timeout_passes() {
        int port = freePort();

        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("sleep 300").withWaitForPorts(port)
                .withTimeout(Duration.ofSeconds(1))))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE))
                .hasMessage("process timed out waiting for ports after 1 seconds");
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    @Test
    void close_kills_every_running_process_and_refuses_new_ones() {
        ProcessInfo a = processes.exec(ProcessSpec.of("sleep 300"));
        ProcessInfo b = processes.exec(ProcessSpec.of("trap '' TERM; sleep 300"));

        processes.close();

        assertThat(processes.listProcesses()).extracting(ProcessInfo::pid).contains(a.pid(), b.pid());
        assertThat(processes.listProcesses()).allSatisfy(p -> {
            assertThat(p.status()).isEqualTo(ProcessStatus.KILLED);
            assertThat(p.exitCode()).contains(137);
        });
        assertThat(alive(Long.parseLong(a.pid()))).isFalse();
        assertThatThrownBy(() -> processes.exec(ProcessSpec.of("true")))
                .isInstanceOf(SandgateException.Unavailable.class);
    }

    @Test
    void stop_all_stops_every_running_process_gracefully() {
        ProcessInfo a = processes.exec(ProcessSpec.of("trap 'echo bye; exit 0' TERM; echo up; "
                + "while true; do sleep 0.05; done"));
        ProcessInfo b = processes.exec(ProcessSpec.of("sleep 300"));
        awaitFirstStdoutLine(a.pid());

        processes.stopAll();

        assertThat(processes.getProcess(a.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(processes.getProcess(a.pid()).exitCode()).contains(0);
        assertThat(processes.logs(a.pid()).stdout()).endsWith("bye\n");
        assertThat(processes.getProcess(b.pid()).status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(processes.getProcess(b.pid()).exitCode()).isPresent();
    }
}
