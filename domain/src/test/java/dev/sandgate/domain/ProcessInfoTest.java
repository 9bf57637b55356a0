package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessInfoTest {
    private static final Instant STARTED = Instant.parse("2026-11-23T09:00:00Z");

    private static ProcessInfo running() {
        return new ProcessInfo("4242", ProcessName.of("web"), "sleep 30", ProcessStatus.RUNNING, Optional.empty(),
                SandboxPath.ROOT, STARTED, Optional.empty(), 0, false, false, 0);
    }

    @Test
    void a_running_process_exiting_with_0_is_completed_with_code_and_time() {
        ProcessInfo done = running().exited(0, STARTED.plusSeconds(1));

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(done.exitCode()).contains(0);
        assertThat(done.completedAt()).contains(STARTED.plusSeconds(1));
        assertThat(done.isRunning()).isFalse();
    }

    @Test
    void the_session_that_started_a_process_is_kept_through_its_exit_and_restarts() {
        PreviewName session = PreviewName.of("session-1");
        ProcessInfo started = new ProcessInfo("4242", ProcessName.of("web"), "sleep 30", ProcessStatus.RUNNING,
                Optional.empty(), SandboxPath.ROOT, STARTED, Optional.empty(), 0, false, true, 3, false,
                Optional.of(session));

        assertThat(started.restarted().restartCount()).isEqualTo(1);
        assertThat(started.restarted().exited(1, STARTED.plusSeconds(1)).startedBy()).contains(session);
        assertThat(started.withStatus(ProcessStatus.KILLED).wasStartedBy(session)).isTrue();
        assertThat(started.wasStartedBy(PreviewName.of("session-2"))).isFalse();
        assertThat(running().startedBy()).isEmpty();
        assertThat(running().wasStartedBy(session)).isFalse();
    }

    @Test
    void a_process_killed_for_lack_of_memory_failed_with_137_and_says_so() {
        ProcessInfo done = running().exited(137, STARTED.plusSeconds(1)).killedOutOfMemory();

        assertThat(done.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(done.exitCode()).contains(137);
        assertThat(done.outOfMemory()).isTrue();
        assertThat(running().outOfMemory()).isFalse();
        assertThatIllegalStateException().isThrownBy(() -> running().withStatus(ProcessStatus.KILLED)
                .exited(137, STARTED).killedOutOfMemory());
    }

    @Test
    void a_running_process_exiting_with_3_failed() {
        assertThat(running().exited(3, STARTED).status()).isEqualTo(ProcessStatus.FAILED);
    }

    @Test
    void a_stopped_process_stays_stopped_when_it_exits() {
        ProcessInfo done = running().withStatus(ProcessStatus.STOPPED).exited(143, STARTED.plusSeconds(1));

        assertThat(done.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(done.exitCode()).contains(143);
    }

    @Test
    void a_killed_process_stays_killed_when_it_exits() {
        ProcessInfo done = running().withStatus(ProcessStatus.KILLED).exited(137, STARTED.plusSeconds(1));

        assertThat(done.status()).isEqualTo(ProcessStatus.KILLED);
    }

    @Test
    void with_status_keeps_everything_else() {
        ProcessInfo stopped = running().withStatus(ProcessStatus.STOPPED);

        assertThat(stopped).usingRecursiveComparison().ignoringFields("status").isEqualTo(running());
    }

    @Test
    void with_status_refuses_a_forbidden_transition() {
        ProcessInfo done = running().exited(0, STARTED);

        assertThatIllegalStateException().isThrownBy(() -> done.withStatus(ProcessStatus.RUNNING))
                .withMessage("a completed process cannot become running");
    }

    @Test
    void completion_before_start_is_refused_with_both_instants() {
        assertThatIllegalArgumentException().isThrownBy(() -> running().exited(0, STARTED.minusMillis(1)))
                .withMessageContaining("2026-11-23T08:59:59.999Z")
                .withMessageContaining("2026-11-23T09:00:00Z");
    }

    @Test
    void completion_at_the_start_instant_is_accepted() {
        assertThat(running().exited(0, STARTED).completedAt()).contains(STARTED);
    }

    @Test
    void blank_pid_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ProcessInfo(" ", ProcessName.of("web"), "x",
                        ProcessStatus.RUNNING, Optional.empty(), SandboxPath.ROOT, STARTED, Optional.empty(), 0,
                        false, false, 0))
                .withMessage("pid must not be blank");
    }

    @Test
    void negative_restart_count_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ProcessInfo("1", ProcessName.of("web"), "x",
                        ProcessStatus.RUNNING, Optional.empty(), SandboxPath.ROOT, STARTED, Optional.empty(), -1,
                        false, false, 0))
                .withMessageContaining("restartCount -1");
    }
}
