package dev.sandgate.ports;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;

/**
 * Receives a process's output. Calls are sequential for one subscription. After {@link #onEnd()} or
 * {@link #onError} no further call arrives. A listener must not block for long: a gateway may drop a subscriber
 * that falls too far behind, ending it with {@code onError}.
 */
public interface LogListener {
    void onLine(LogLine line);

    /**
     * A line with its cursor: the line's place in the process's output, one sequence for stdout and stderr together
     * (the first line written is 1). A stream resumed after cursor {@code c} ({@link ProcessOperations#streamLogs(
     * String, long, LogListener)}) delivers exactly the lines after {@code c}. Sources that know cursors call this
     * form; by default it hands the line to {@link #onLine(LogLine)}.
     */
    default void onLine(LogLine line, long cursor) {
        onLine(line);
    }

    /**
     * Some lines after the cursor a stream was resumed from are gone (the output buffer is bounded): {@code lines}
     * of them, reported once, before the first line delivered. Ignored by default.
     */
    default void onDropped(long lines) {
    }

    /**
     * The process's run failed with {@code exitCode} and was started again ({@code restartCount} restarts so far, a
     * process spec's {@code restartOnFailure}); its output goes on in the same stream, with the same sequence of
     * cursors. Told to live readers, after the failed run's last line. Ignored by default.
     */
    default void onRestarted(int exitCode, int restartCount) {
    }

    /** The process exited and everything it wrote was delivered. */
    void onEnd();

    /** The stream broke before the end (the subscriber fell behind, the transport failed). */
    void onError(SandgateException error);
}
