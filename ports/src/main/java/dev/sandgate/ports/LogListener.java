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

    /** The process exited and everything it wrote was delivered. */
    void onEnd();

    /** The stream broke before the end (the subscriber fell behind, the transport failed). */
    void onError(SandgateException error);
}
