package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.ProcessLogs;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounded output of one process, kept as lines in the order produced. Each line costs its UTF-8 size, one byte
 * for its line feed and {@link #LINE_OVERHEAD} bytes of bookkeeping; when a new line does not fit, the oldest lines are
 * dropped and the output is marked truncated. Readers see the truncation as a first line {@link #TRUNCATION_MARKER}
 * on each stream that lost lines (and on the interleaved log). Not thread-safe: the owning process guards it.
 */
final class OutputBuffer {
    static final String TRUNCATION_MARKER = "[output truncated]";
    static final int LINE_OVERHEAD = 64;
    /** The longest line kept whole; longer output without a line feed is cut into lines of this size. */
    static final int MAX_LINE_BYTES = 32 * 1024;

    private record Entry(LogLine line, long cost) {
    }

    private final long capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long used;
    private boolean stdoutDropped;
    private boolean stderrDropped;

    OutputBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** The longest line, in bytes, that a buffer of {@code capacity} bytes keeps whole. */
    static int maxLineBytes(int capacity) {
        return Math.max(1, Math.min(MAX_LINE_BYTES, capacity - 1 - LINE_OVERHEAD));
    }

    void add(LogLine line, int utf8Bytes) {
        long cost = utf8Bytes + 1L + LINE_OVERHEAD;
        while (!entries.isEmpty() && used + cost > capacity) {
            Entry dropped = entries.removeFirst();
            used -= dropped.cost();
            if (dropped.line().stream() == LogStream.STDOUT) {
                stdoutDropped = true;
            } else {
                stderrDropped = true;
            }
        }
        entries.addLast(new Entry(line, cost));
        used += cost;
    }

    boolean truncated() {
        return stdoutDropped || stderrDropped;
    }

    /** What a new subscriber gets first: the truncation markers, then every kept line. */
    List<LogLine> replay() {
        List<LogLine> out = new ArrayList<>(entries.size() + 2);
        if (stdoutDropped) {
            out.add(LogLine.stdout(TRUNCATION_MARKER));
        }
        if (stderrDropped) {
            out.add(LogLine.stderr(TRUNCATION_MARKER));
        }
        for (Entry e : entries) {
            out.add(e.line());
        }
        return out;
    }

    ProcessLogs snapshot() {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        StringBuilder all = new StringBuilder();
        if (stdoutDropped) {
            out.append(TRUNCATION_MARKER).append('\n');
        }
        if (stderrDropped) {
            err.append(TRUNCATION_MARKER).append('\n');
        }
        if (truncated()) {
            all.append(TRUNCATION_MARKER).append('\n');
        }
        for (Entry e : entries) {
            LogLine line = e.line();
            (line.stream() == LogStream.STDOUT ? out : err).append(line.text()).append('\n');
            all.append(line.text()).append('\n');
        }
        return new ProcessLogs(out.toString(), err.toString(), all.toString(), truncated());
    }
}
