package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProcessStatusTest {
    @ParameterizedTest(name = "running -> {0}")
    @EnumSource(ProcessStatus.class)
    void running_may_become_every_status(ProcessStatus next) {
        assertThat(ProcessStatus.RUNNING.transitionTo(next)).isEqualTo(next);
    }

    @ParameterizedTest(name = "{0} -> {0}")
    @EnumSource(ProcessStatus.class)
    void every_status_may_stay_as_it_is(ProcessStatus status) {
        assertThat(status.canBecome(status)).isTrue();
    }

    @ParameterizedTest(name = "{0} -> running")
    @EnumSource(value = ProcessStatus.class, names = "RUNNING", mode = EnumSource.Mode.EXCLUDE)
    void a_finished_process_never_runs_again(ProcessStatus terminal) {
        assertThatIllegalStateException().isThrownBy(() -> terminal.transitionTo(ProcessStatus.RUNNING))
                .withMessage("a " + terminal.wireName() + " process cannot become running");
    }

    @Test
    void completed_cannot_become_killed() {
        assertThatIllegalStateException().isThrownBy(() -> ProcessStatus.COMPLETED.transitionTo(ProcessStatus.KILLED))
                .withMessage("a completed process cannot become killed");
    }

    @Test
    void stopped_cannot_become_killed() {
        assertThat(ProcessStatus.STOPPED.canBecome(ProcessStatus.KILLED)).isFalse();
    }

    @Test
    void killed_cannot_become_failed() {
        assertThat(ProcessStatus.KILLED.canBecome(ProcessStatus.FAILED)).isFalse();
    }

    @Test
    void running_exit_0_completes() {
        assertThat(ProcessStatus.RUNNING.afterExit(0)).isEqualTo(ProcessStatus.COMPLETED);
    }

    @Test
    void running_non_zero_exit_fails() {
        assertThat(ProcessStatus.RUNNING.afterExit(3)).isEqualTo(ProcessStatus.FAILED);
    }

    @Test
    void stopped_stays_stopped_after_exit() {
        assertThat(ProcessStatus.STOPPED.afterExit(143)).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void killed_stays_killed_after_exit_even_with_code_0() {
        assertThat(ProcessStatus.KILLED.afterExit(0)).isEqualTo(ProcessStatus.KILLED);
    }

    @Test
    void only_running_is_not_terminal() {
        assertThat(ProcessStatus.RUNNING.isTerminal()).isFalse();
        assertThat(ProcessStatus.COMPLETED.isTerminal()).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(ProcessStatus.class)
    void wire_name_round_trips(ProcessStatus status) {
        assertThat(ProcessStatus.fromWire(status.wireName())).isEqualTo(status);
    }

    @Test
    void wire_names_are_lowercase() {
        assertThat(ProcessStatus.KILLED.wireName()).isEqualTo("killed");
    }

    @Test
    void unknown_wire_name_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessStatus.fromWire("RUNNING"))
                .withMessage("process status 'RUNNING' is unknown");
    }

    @Test
    void null_wire_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessStatus.fromWire(null))
                .withMessage("process status 'null' is unknown");
    }
}
