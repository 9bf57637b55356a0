package dev.sandgate.adapter.local;

import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;

/**
 * A write that found the sandbox's disk full: its quota (see {@code DiskQuota}) or the host's disk. The kernel says
 * {@code ENOSPC} or {@code EDQUOT}; the JDK hands that on only as the message of an {@link IOException}.
 */
final class DiskFull {
    private DiskFull() {
    }

    static boolean is(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device")
                    || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** A 413 (too large) naming the path: the request is fine, it does not fit. */
    static SandgateException error(SandboxPath path) {
        return SandgateException.InvalidRequest.tooLarge("no space left on the sandbox's disk for " + path
                + ": its disk quota is full; remove files to make room");
    }
}
