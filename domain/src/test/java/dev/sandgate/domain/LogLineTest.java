package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class LogLineTest {
    @Test
    void a_line_with_a_line_feed_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> LogLine.stdout("a\nb"))
                .withMessageContaining("line feed");
    }

    @Test
    void stdout_and_stderr_factories_set_the_stream() {
        assertThat(LogLine.stdout("x").stream()).isEqualTo(LogStream.STDOUT);
        assertThat(LogLine.stderr("x").stream()).isEqualTo(LogStream.STDERR);
    }

    @Test
    void wire_prefixes_are_those_of_the_log_stream_format() {
        assertThat(LogStream.STDOUT.prefix()).isEqualTo("stdout:");
        assertThat(LogStream.STDERR.prefix()).isEqualTo("stderr:");
    }
}
