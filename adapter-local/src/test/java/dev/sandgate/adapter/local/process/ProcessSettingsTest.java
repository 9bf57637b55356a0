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
        assertThatThrownBy(() -> d.toBuilder().stopGracePeriod(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> d.toBuilder().outputBufferBytes(10).build()).hasMessageContaining("10");
        assertThatThrownBy(() -> d.toBuilder().retainedFinishedProcesses(-1).build()).hasMessageContaining("-1");
        assertThatThrownBy(() -> d.toBuilder().defaultWaitTimeout(Duration.ZERO).build()).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> d.toBuilder().subscriberQueueLines(0).build()).hasMessageContaining("0");
        assertThatThrownBy(() -> d.toBuilder().warmShellIdle(Duration.ofSeconds(-2)).build()).hasMessageContaining("PT-2S");
        assertThatThrownBy(() -> d.toBuilder().stopGracePeriod(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.toBuilder().warmShellIdle(null).build()).isInstanceOf(NullPointerException.class);
        assertThat(d.toBuilder().warmShellIdle(Duration.ZERO).build().warmShellIdle()).isZero();
        assertThat(d.toBuilder().stopGracePeriod(Duration.ZERO).build().stopGracePeriod()).isZero();
    }
}
