package dev.sandgate.adapter.local;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's own thread for the lines {@link AccessJournal#syncSoon} leaves unflushed: every
 * {@value #PERIOD_MILLIS} ms, one {@link AccessJournal#sync} of what was appended, when the disk is behind. Started
 * with the first such line, stopped with the journal. A daemon: a line it has not flushed yet is in the OS's cache,
 * so a process exit keeps it.
 */
final class JournalFlusher {
    static final long PERIOD_MILLIS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(JournalFlusher.class);

    private final AccessJournal journal;
    private Thread thread;
    private volatile boolean stopped;
    private volatile boolean pausedForTest;

    JournalFlusher(AccessJournal journal) {
        this.journal = journal;
    }

    /** Starts the thread, unless it runs already or the journal was closed. */
    synchronized void start() {
        if (thread != null || stopped) {
            return;
        }
        thread = new Thread(this::run, "sandgate-journal-flush");
        thread.setDaemon(true);
        thread.start();
    }

    /** The thread ends within a period; what it has not flushed is the closing journal's to flush. */
    void stop() {
        stopped = true;
    }

    /** For tests: the thread stops flushing (so that only {@link AccessJournal#sync} and its close do). */
    void pauseForTest() {
        pausedForTest = true;
    }

    private void run() {
        while (!stopped) {
            LockSupport.parkNanos(PERIOD_MILLIS * 1_000_000);
            long upTo = journal.mark();
            if (stopped || pausedForTest || journal.failed() || journal.syncedUpTo(upTo)) {
                continue;
            }
            try {
                journal.sync(upTo);
            } catch (IOException e) {
                LOG.error("the access journal could not be flushed; changes granted in the last {} ms may be lost if "
                        + "the machine stops, and it takes no more changes: {}", PERIOD_MILLIS, e.toString());
            }
        }
    }
}
