package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void the_process_group_is_read_from_proc_and_unknown_pids_give_minus_one() {
        assertThat(Signals.processGroup(ProcessHandle.current().pid())).isPositive();
        assertThat(Signals.processGroup(Long.MAX_VALUE)).isEqualTo(-1);
    }
}
