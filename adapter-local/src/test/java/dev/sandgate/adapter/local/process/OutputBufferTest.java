package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessLogs;
import org.junit.jupiter.api.Test;

class OutputBufferTest {
    private static final int LINE_COST = 1 + 1 + OutputBuffer.LINE_OVERHEAD;

    @Test
    void lines_are_kept_interleaved_and_per_stream() {
        OutputBuffer buffer = new OutputBuffer(4096);
        buffer.add(LogLine.stdout("a"), 1);
        buffer.add(LogLine.stderr("b"), 1);
        buffer.add(LogLine.stdout("c"), 1);

        assertThat(buffer.snapshot()).isEqualTo(new ProcessLogs("a\nc\n", "b\n", "a\nb\nc\n", false));
        assertThat(buffer.replay()).containsExactly(LogLine.stdout("a"), LogLine.stderr("b"), LogLine.stdout("c"));
    }

    @Test
    void the_oldest_lines_go_first_and_only_the_stream_that_lost_lines_is_marked() {
        OutputBuffer buffer = new OutputBuffer(3 * LINE_COST);
        buffer.add(LogLine.stdout("1"), 1);
        buffer.add(LogLine.stderr("2"), 1);
        buffer.add(LogLine.stderr("3"), 1);
        buffer.add(LogLine.stderr("4"), 1);

        ProcessLogs logs = buffer.snapshot();
        assertThat(logs.truncated()).isTrue();
        assertThat(logs.stdout()).isEqualTo("[output truncated]\n");
        assertThat(logs.stderr()).isEqualTo("2\n3\n4\n");
        assertThat(logs.logs()).isEqualTo("[output truncated]\n2\n3\n4\n");
        assertThat(buffer.replay()).first().isEqualTo(LogLine.stdout("[output truncated]"));
    }

    @Test
    void a_flood_of_empty_lines_is_bounded_by_the_per_line_overhead() {
        OutputBuffer buffer = new OutputBuffer(10 * LINE_COST);
        for (int i = 0; i < 100_000; i++) {
            buffer.add(LogLine.stdout(""), 0);
        }

        assertThat(buffer.replay()).hasSizeLessThanOrEqualTo(16);
    }
}
