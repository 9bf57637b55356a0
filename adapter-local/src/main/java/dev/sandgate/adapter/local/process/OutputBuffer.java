package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.SandgateException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounded output of one process, kept as lines in the order produced. Each line costs its UTF-8 size, one byte
 * for its line feed and {@link #LINE_OVERHEAD} bytes of bookkeeping; when a new line does not fit, the oldest lines are
 * dropped and the output is marked truncated. Readers see the truncation as a first line {@link #TRUNCATION_MARKER}
 * on each stream that lost lines (and on the interleaved log).
 *
 * <p>Each line is numbered as it is appended: its cursor, one sequence for stdout and stderr together, from 1 (a
 * restart of the process continues it). {@link #after} replays from a cursor and says how many lines after it were
 * dropped. Not thread-safe: the owning process guards it.
 */
final class OutputBuffer {
    static final String TRUNCATION_MARKER = "[output truncated]";
    static final int LINE_OVERHEAD = 64;
    /** The longest line kept whole; longer output without a line feed is cut into lines of this size. */
    static final int MAX_LINE_BYTES = 32 * 1024;

    private record Entry(LogLine line, long cost, long cursor) {
    }

    /** A line with its cursor. */
    record Sequenced(LogLine line, long cursor) {
    }

    /** What a stream resumed after a cursor gets first: how many lines after it are gone, then the kept ones. */
    record Resume(long dropped, List<Sequenced> lines) {
    }

    private final long capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long used;
    private long lastCursor;
    private boolean stdoutDropped;
    private boolean stderrDropped;

    OutputBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** The longest line, in bytes, that a buffer of {@code capacity} bytes keeps whole. */
    static int maxLineBytes(int capacity) {
        return Math.max(1, Math.min(MAX_LINE_BYTES, capacity - 1 - LINE_OVERHEAD));
    }

    /** Keeps {@code line} and answers its cursor. */
    long add(LogLine line, int utf8Bytes) {
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
        lastCursor++;
        entries.addLast(new Entry(line, cost, lastCursor));
        used += cost;
        return lastCursor;
    }

    /** The cursor of the last line written (0 before any). */
    long lastCursor() {
        return lastCursor;
    }

    /** The kept lines after {@code cursor}, and how many lines after it were dropped; refuses a cursor not given. */
    Resume after(long cursor) {
        if (cursor < 0 || cursor > lastCursor) {
            throw new SandgateException.InvalidRequest("cursor " + cursor + " is not a line of this process (its "
                    + "last line is " + lastCursor + ")");
        }
        long firstKept = entries.isEmpty() ? lastCursor + 1 : entries.peekFirst().cursor();
        long dropped = Math.max(0, firstKept - 1 - cursor);
        List<Sequenced> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.cursor() > cursor) {
                out.add(new Sequenced(e.line(), e.cursor()));
            }
        }
        return new Resume(dropped, out);
    }

    boolean truncated() {
        return stdoutDropped || stderrDropped;
    }

    /**
     * What a new subscriber gets first: the truncation markers (with the cursor of the last line dropped, so that
     * resuming after one gives the kept lines), then every kept line.
     */
    List<Sequenced> replay() {
        List<Sequenced> out = new ArrayList<>(entries.size() + 2);
        long beforeKept = entries.isEmpty() ? lastCursor : entries.peekFirst().cursor() - 1;
        if (stdoutDropped) {
            out.add(new Sequenced(LogLine.stdout(TRUNCATION_MARKER), beforeKept));
        }
        if (stderrDropped) {
            out.add(new Sequenced(LogLine.stderr(TRUNCATION_MARKER), beforeKept));
        }
        for (Entry e : entries) {
            out.add(new Sequenced(e.line(), e.cursor()));
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
