package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sandgate.adapter.local.LocalRecords.JournalEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's group commit on a durable journal: what a change waits for, and what a failed flush leaves. */
class AccessJournalTest {
    private static final int WRITERS = 8;
    private static final int CHANGES = 200;

    @TempDir
    Path dir;

    /**
     * Eight writers append and sync at once while one of them compacts half way (as the store does, under its lock):
     * every sync returns, those waiting with a line from before the compaction included, and the journal then holds
     * the compaction's lines followed by every line appended after it, each whole.
     */
    @Test
    void every_concurrent_sync_returns_across_a_compaction_and_every_line_after_it_replays() throws Exception {
        AccessJournal journal = new AccessJournal(dir, true);
        journal.compact(List.of()); // the store opens its journal this way
        Object storeLock = new Object();
        int[] appendedAfterCompaction = {0};
        boolean[] compacted = {false};
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        for (int i = 0; i < CHANGES; i++) {
                            long end;
                            synchronized (storeLock) {
                                end = journal.append(JournalEntry.del("box", "w" + writer + "-" + i));
                                if (compacted[0]) {
                                    appendedAfterCompaction[0]++;
                                }
                                if (writer == 0 && i == CHANGES / 2) {
                                    journal.compact(List.of(JournalEntry.drop("compacted")));
                                    compacted[0] = true;
                                }
                            }
                            journal.sync(end);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : writers) {
                    f.get();
                }
            });
        } finally {
            pool.shutdownNow();
        }
        journal.close();

        List<JournalEntry> replayed = new ArrayList<>();
        new AccessJournal(dir, true).replay(replayed::add);
        assertThat(replayed.get(0).op).isEqualTo("drop");
        assertThat(replayed.get(0).sandbox).isEqualTo("compacted");
        assertThat(replayed.subList(1, replayed.size())).hasSize(appendedAfterCompaction[0])
                .allSatisfy(e -> assertThat(e.op).isEqualTo("del"));
    }

    /** A flush that fails fails the change waiting for it, and the journal takes no change after it. */
    @Test
    void a_failed_flush_fails_the_change_waiting_for_it_and_every_later_one() throws Exception {
        AccessJournal journal = new AccessJournal(dir, true);
        journal.compact(List.of());
        long end = journal.append(JournalEntry.del("box", "first"));
        journal.breakForTest();

        assertThatThrownBy(() -> journal.sync(end)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> journal.append(JournalEntry.del("box", "second"))).isInstanceOf(IOException.class)
                .hasMessageContaining("failed to reach the disk");
        assertThatThrownBy(() -> journal.sync(end)).isInstanceOf(IOException.class);
    }
}
