package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessSettingsTest {
    @Test
    void defaults_are_the_documented_values() {
        assertThat(ProcessSettings.defaults()).isEqualTo(new ProcessSettings(Duration.ofSeconds(5), 1_048_576, 100,
                Duration.ofSeconds(60), 10_000, Duration.ofSeconds(60)));
    }

    @Test
    void bad_values_are_refused_with_their_value_in_the_message() {
        ProcessSettings d = ProcessSettings.defaults();
        assertThatThrownBy(() -> d.withStopGracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> d.withOutputBufferBytes(10)).hasMessageContaining("10");
        assertThatThrownBy(() -> d.withRetainedFinishedProcesses(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> d.withDefaultWaitTimeout(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> d.withSubscriberQueueLines(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> d.withWarmShellIdle(Duration.ofSeconds(-2))).hasMessageContaining("PT-2S");
        assertThatThrownBy(() -> d.withStopGracePeriod(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.withWarmShellIdle(null)).isInstanceOf(NullPointerException.class);
        assertThat(d.withWarmShellIdle(Duration.ZERO).warmShellIdle()).isZero();
        assertThat(d.withStopGracePeriod(Duration.ZERO).stopGracePeriod()).isZero();
    }
}
