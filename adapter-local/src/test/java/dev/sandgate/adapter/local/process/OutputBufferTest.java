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
        assertThat(buffer.replay()).extracting(OutputBuffer.Sequenced::line).containsExactly(LogLine.stdout("a"), LogLine.stderr("b"), LogLine.stdout("c"));
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
        assertThat(buffer.replay()).extracting(OutputBuffer.Sequenced::line).first().isEqualTo(LogLine.stdout("[output truncated]"));
    }

    @Test
    void a_flood_of_empty_lines_is_bounded_by_the_per_line_overhead() {
        OutputBuffer buffer = new OutputBuffer(10 * LINE_COST);
        for (int i = 0; i < 100_000; i++) {
            buffer.add(LogLine.stdout(""), 0);
        }

        assertThat(buffer.replay()).hasSizeLessThanOrEqualTo(16);
    }

    @Test
    void every_line_gets_the_next_cursor_across_both_streams() {
        OutputBuffer buffer = new OutputBuffer(4096);
        assertThat(buffer.add(LogLine.stdout("a"), 1)).isEqualTo(1);
        assertThat(buffer.add(LogLine.stderr("b"), 1)).isEqualTo(2);
        assertThat(buffer.add(LogLine.stdout("c"), 1)).isEqualTo(3);

        assertThat(buffer.after(1)).isEqualTo(new OutputBuffer.Resume(0, java.util.List.of(
                new OutputBuffer.Sequenced(LogLine.stderr("b"), 2), new OutputBuffer.Sequenced(LogLine.stdout("c"), 3))));
        assertThat(buffer.after(3).lines()).isEmpty();
        assertThat(buffer.after(0).lines()).hasSize(3);
    }

    @Test
    void resuming_after_a_cursor_whose_next_lines_were_dropped_says_how_many() {
        OutputBuffer buffer = new OutputBuffer(2 * LINE_COST);
        for (int i = 1; i <= 5; i++) {
            buffer.add(LogLine.stdout(String.valueOf(i)), 1);
        }

        OutputBuffer.Resume resume = buffer.after(1);
        assertThat(resume.dropped()).isEqualTo(2);
        assertThat(resume.lines()).extracting(OutputBuffer.Sequenced::cursor).containsExactly(4L, 5L);
        assertThat(buffer.after(3).dropped()).isZero();
        assertThat(buffer.replay()).first().isEqualTo(new OutputBuffer.Sequenced(LogLine.stdout("[output truncated]"), 3));
    }

    @Test
    void a_cursor_past_the_last_line_or_negative_is_refused() {
        OutputBuffer buffer = new OutputBuffer(4096);
        buffer.add(LogLine.stdout("a"), 1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> buffer.after(2))
                .isInstanceOf(dev.sandgate.domain.SandgateException.InvalidRequest.class).hasMessageContaining("cursor 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> buffer.after(-1))
                .isInstanceOf(dev.sandgate.domain.SandgateException.InvalidRequest.class);
    }
}
