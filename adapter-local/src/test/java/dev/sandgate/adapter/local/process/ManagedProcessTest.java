package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.process.ManagedProcess.Ending;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxPath;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transitions of one record over a real OS process; the signals and restarts are the caller's. */
class ManagedProcessTest {
    private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStarted() {
        started.forEach(Process::destroyForcibly);
    }

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "30").start();
        started.add(p);
        return p;
    }

    private ManagedProcess record(ProcessSpec spec, Process process) {
        ProcessInfo info = new ProcessInfo(Long.toString(process.pid()), ProcessName.of("p"), spec.command(),
                ProcessStatus.RUNNING, Optional.empty(), SandboxPath.ROOT, STARTED, Optional.empty(), 0,
                spec.keepAlive(), spec.restartOnFailure(), spec.maxRestarts());
        return new ManagedProcess(info.pid(), spec, SandboxPath.ROOT, Path.of("/"), info, process, 4096, 0);
    }

    @Test
    void a_stopped_process_is_not_stopped_again() throws IOException {
        Process process = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30"), process);

        assertThat(rec.stop()).isEqualTo(new Ending.Signal(process));
        assertThat(rec.stop()).isEqualTo(new Ending.NotRunning());
        assertThat(rec.info().status()).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void a_kill_after_a_stop_still_signals_but_the_record_stays_stopped() throws IOException {
        Process process = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30"), process);
        rec.stop();

        assertThat(rec.kill()).isEqualTo(new Ending.Signal(process));
        assertThat(rec.info().status()).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void an_ended_record_refuses_stop_kill_restart_and_a_second_end() throws IOException {
        Process process = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30"), process);
        assertThat(rec.exited(process, 0, true, backoff -> {
            throw new AssertionError("no restart was asked for");
        })).isTrue();
        ProcessInfo done = rec.end(0, STARTED.plusSeconds(1)).orElseThrow();
        rec.announceEnd(done);

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(rec.stop()).isEqualTo(new Ending.NotRunning());
        assertThat(rec.kill()).isEqualTo(new Ending.NotRunning());
        assertThat(rec.end(1, STARTED.plusSeconds(2))).isEmpty();
        assertThatThrownBy(() -> rec.restarted(sleeper(), 0)).isInstanceOf(IllegalStateException.class);
        assertThat(rec.info()).isEqualTo(done);
        assertThat(rec.hasFinished()).isTrue();
    }

    @Test
    void the_exit_of_a_process_that_is_no_longer_the_current_one_changes_nothing() throws IOException {
        Process current = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30"), current);

        assertThat(rec.exited(sleeper(), 1, true, backoff -> null)).isFalse();
        assertThat(rec.current()).isSameAs(current);
        assertThat(rec.info().isRunning()).isTrue();
    }

    @Test
    void a_killed_process_reports_137_whatever_it_exited_with() throws IOException {
        Process process = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30"), process);
        rec.kill();
        rec.exited(process, 0, true, backoff -> null);

        ProcessInfo done = rec.end(0, STARTED.plusSeconds(1)).orElseThrow();

        assertThat(done.status()).isEqualTo(ProcessStatus.KILLED);
        assertThat(done.exitCode()).contains(ManagedProcess.SIGKILL_EXIT_CODE);
    }

    @Test
    void a_failed_process_that_may_restart_waits_for_its_restart_and_a_stop_then_ends_it_at_once()
            throws IOException {
        Process process = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30").withRestartOnFailure(3), process);
        List<Long> backoffs = new ArrayList<>();
        PendingFuture pending = new PendingFuture();

        boolean ends = rec.exited(process, 1, true, backoff -> {
            backoffs.add(backoff);
            return pending;
        });

        assertThat(ends).isFalse();
        assertThat(backoffs).containsExactly(100L);
        assertThat(rec.stop()).isEqualTo(new Ending.FinishNow(1));
        assertThat(pending.isCancelled()).isTrue();
        assertThat(rec.restartDue()).isFalse();
    }

    @Test
    void a_restarted_process_counts_the_restart_and_is_the_current_one() throws IOException {
        Process first = sleeper();
        ManagedProcess rec = record(ProcessSpec.of("sleep 30").withRestartOnFailure(3), first);
        rec.exited(first, 1, true, backoff -> new PendingFuture());
        assertThat(rec.restartDue()).isTrue();
        Process second = sleeper();

        assertThat(rec.restarted(second, 0)).isTrue();
        assertThat(rec.current()).isSameAs(second);
        assertThat(rec.info().restartCount()).isEqualTo(1);
        assertThat(rec.info().pid()).isEqualTo(Long.toString(first.pid()));
    }

    /** A scheduled task that never runs, so that a test sees whether it was cancelled. */
    private static final class PendingFuture extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return Long.MAX_VALUE;
        }

        @Override
        public int compareTo(Delayed other) {
            return 0;
        }
    }
}
