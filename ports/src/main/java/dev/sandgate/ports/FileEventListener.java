package dev.sandgate.ports;

import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.SandgateException;

/** Receives the changes of a watched directory, on a gateway thread, in order, until the watch is cancelled. */
public interface FileEventListener {
    void onEvent(FileEvent event);

    /** The watch broke (the directory went away, the connection dropped); nothing follows. */
    default void onError(SandgateException error) {
    }
}
