package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.LocalRecords.JournalEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access store's append-only journal, {@code <dir>/journal.log}: one JSON line per change
 * ({@link JournalEntry}), replayed in order when the store opens.
 *
 * <p><b>Group commit.</b> {@link #append} writes a line (under the store's lock, without waiting for the disk) and
 * returns where it ends, counted in bytes ever appended (a compaction does not reset the count); {@link #sync}
 * (outside the lock) returns once the disk holds at least that much. One caller at a time flushes (the leader), with
 * one {@code fdatasync} covering every line appended before it started; the others wait meanwhile without holding
 * anything and are all released together when it ends, and those whose line came too late for it elect the next
 * leader among themselves. So concurrent changes share one flush instead of paying one each (and do not hand a lock
 * on one by one, each behind the last), and a change is acknowledged only once it is on the disk (with
 * {@code durable}; without it, writes are left to the OS, for tests).
 *
 * <p><b>Flushed soon.</b> A change that only grants access need not wait for the disk ({@link FileAccessStore.Sync}):
 * {@link #syncSoon} returns at once, and a thread of the journal's own ({@link JournalFlusher}) flushes what was
 * appended about {@value JournalFlusher#PERIOD_MILLIS} ms later at the most. Any {@link #sync} flushes those lines too, since one {@code fdatasync} covers the
 * whole file: what the disk holds is always a prefix of the journal, so a change that waited for the disk never
 * outlives one before it.
 *
 * <p><b>Crash safety.</b> A crash can leave a last line cut short: replay ignores a line without its line feed, or
 * one that does not parse (logged), and opening the store rewrites the journal without it ({@link #compact}).
 *
 * <p><b>Compaction.</b> When the journal has grown to {@value #GROWTH}× its size after the last compaction (and at
 * least {@value #MIN_COMPACT_BYTES} bytes), the store rewrites it with one {@code put} per live preview, in two
 * steps: {@link #writeCompacted} writes a snapshot of the live previews to a temporary file and flushes it, without
 * the store's lock, while changes go on being appended to the journal; then {@link #replaceWith}, under the lock,
 * copies the lines appended since the snapshot to the end of that file, flushes it, renames it over the journal and
 * flushes the directory. Replaying the snapshot and then those lines gives what replaying the whole journal gives
 * (every line sets a record whole, or removes one), and a crash before the rename leaves the old journal whole.
 */
final class AccessJournal implements AutoCloseable {
    static final String FILE = "journal.log";
    private static final int GROWTH = 4;
    private static final long MIN_COMPACT_BYTES = 4L * 1024 * 1024;
    private static final int COMPACTION_CHUNK = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AccessJournal.class);

    private final Path file;
    private final boolean durable;
    /** Guards {@link #synced}, {@link #flushing}, {@link #flushEnded} and the channel's swap; held only briefly. */
    private final Object state = new Object();
    private FileChannel channel;
    /** Bytes ever appended, across compactions; written under the store's lock. */
    private volatile long appended;
    /** How much of {@link #appended} the disk holds. */
    private long synced;
    /** Whether a leader is flushing. */
    private boolean flushing;
    /** Completed when the flush under way (or the next one) ends. */
    private CompletableFuture<Void> flushEnded = new CompletableFuture<>();
    private long sizeAfterCompaction;
    /** {@link #appended} when the journal was last compacted (under the store's lock). */
    private long appendedAtCompaction;
    private volatile boolean failed;
    /** Flushes the lines of {@link #syncSoon}; started with the first of them. */
    private final JournalFlusher flusher = new JournalFlusher(this);
    private volatile boolean closed;
    private volatile Runnable beforeFlush = () -> {
    };

    AccessJournal(Path dir, boolean durable) {
        this.file = dir.resolve(FILE);
        this.durable = durable;
    }

    Path file() {
        return file;
    }

    /** Replays every whole, readable line in order; a torn or unreadable line is skipped. */
    void replay(Consumer<JournalEntry> apply) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] all = Files.readAllBytes(file);
        int start = 0;
        int line = 0;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            line++;
            if (end == all.length) {
                LOG.warn("ignoring the access journal's last line {}: it was cut short (a crash while writing)", line);
                break;
            }
            byte[] bytes = java.util.Arrays.copyOfRange(all, start, end);
            try {
                apply.accept(LocalJson.decode(JournalEntry.class, bytes, "access journal line " + line));
            } catch (IOException | RuntimeException e) {
                LOG.error("ignoring access journal line {}: {}", line, e.getMessage());
            }
            start = end + 1;
        }
    }

    /** Appends one line; returns where it ends, for {@link #sync}. Called under the store's lock. */
    long append(JournalEntry entry) throws IOException {
        if (closed) {
            throw new IOException("the access journal was closed");
        }
        if (failed) {
            throw new IOException("the access journal failed to reach the disk earlier; restart to recover");
        }
        ByteBuffer bytes = ByteBuffer.wrap(LocalJson.encodeLine(JournalEntry.class, entry));
        int length = bytes.remaining();
        try {
            writeAll(channel, bytes);
        } catch (IOException e) {
            cutBackAfterFailedWrite(e);
            throw e;
        }
        appended += length;
        return appended;
    }

    /**
     * A write that failed part way (a full disk writes up to the end of the file's last page) leaves part of a line,
     * and the next line would be joined to it: replay would drop both, so a change acknowledged later (a revocation)
     * would be lost on restart. The file is cut back to where the line began; if even that fails, the journal takes
     * no more changes.
     */
    private void cutBackAfterFailedWrite(IOException cause) {
        long lineStart = sizeAfterCompaction + appended - appendedAtCompaction;
        try {
            channel.truncate(lineStart);
            if (channel.size() != lineStart) {
                throw new IOException("the journal is " + channel.size() + " bytes, not " + lineStart);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            cause.addSuppressed(e);
            LOG.error("the access journal could not be cut back after a failed write; it takes no more changes "
                    + "until the broker restarts: {}", e.toString());
        }
    }

    /**
     * Returns once the disk holds the journal up to {@code upTo} (as {@link #append} counts), flushing it as the
     * leader when no flush is under way, else waiting for the one under way and, if that did not cover it, the next.
     */
    void sync(long upTo) throws IOException {
        if (!durable) {
            return;
        }
        while (true) {
            CompletableFuture<Void> ended;
            FileChannel lead = null;
            long target = 0;
            synchronized (state) {
                if (synced >= upTo) {
                    return;
                }
                if (failed) {
                    throw new IOException("the access journal failed to reach the disk; restart to recover");
                }
                ended = flushEnded;
                if (!flushing) {
                    flushing = true;
                    lead = channel;
                    target = appended;
                }
            }
            if (lead == null) {
                ended.join(); // every waiter of this flush is released at once when it ends
            } else {
                flush(lead, target);
            }
        }
    }

    /**
     * Returns at once; the disk holds the journal up to {@code upTo} about {@value JournalFlusher#PERIOD_MILLIS} ms
     * later at the most (unless the disk fails: then the journal takes no more changes, as after any failed flush).
     */
    void syncSoon(long upTo) {
        if (durable && !closed && !syncedUpTo(upTo)) {
            flusher.start();
        }
    }

    /** From now on no change is taken, as after a failed flush. */
    void markFailed() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** For tests: see {@link JournalFlusher#pauseForTest}. */
    void pauseFlusherForTest() {
        flusher.pauseForTest();
    }

    /** For tests: runs before each {@code fdatasync} (to hold one). */
    void beforeFlushForTest(Runnable hook) {
        beforeFlush = hook;
    }

    /** Whether the disk holds the journal up to {@code upTo}. */
    boolean syncedUpTo(long upTo) {
        synchronized (state) {
            return synced >= upTo;
        }
    }

    /** As the leader: one {@code fdatasync} covering everything appended up to {@code target}. */
    private void flush(FileChannel lead, long target) throws IOException {
        IOException failure = null;
        try {
            beforeFlush.run();
            lead.force(false);
        } catch (IOException e) {
            failure = e;
        }
        CompletableFuture<Void> ended;
        synchronized (state) {
            flushing = false;
            if (failure == null) {
                synced = Math.max(synced, target);
            } else {
                failed = true; // what the page cache holds may never reach the disk: accept no more changes
            }
            ended = flushEnded;
            flushEnded = new CompletableFuture<>();
        }
        ended.complete(null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits until no leader is flushing, then runs {@code change} with {@link #state} held. */
    private void whileNoFlush(IoAction change) throws IOException {
        while (true) {
            CompletableFuture<Void> ended;
            synchronized (state) {
                if (!flushing) {
                    change.run();
                    return;
                }
                ended = flushEnded;
            }
            ended.join();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    boolean wantsCompaction() {
        long size = sizeAfterCompaction + appended - appendedAtCompaction; // the file's size
        return size >= MIN_COMPACT_BYTES && size >= GROWTH * sizeAfterCompaction;
    }

    /** Rewrites the journal as {@code entries} at once (when the store opens, under its lock). */
    void compact(List<JournalEntry> entries) throws IOException {
        long mark = mark();
        replaceWith(writeCompacted(entries), mark);
    }

    /** Where the journal ends now (as {@link #append} counts): a snapshot taken now is followed by what comes after. */
    long mark() {
        return appended;
    }

    /**
     * Writes {@code entries} to the journal's temporary file and flushes it; returns the file. Needs no lock: the
     * journal is not touched.
     */
    Path writeCompacted(List<JournalEntry> entries) throws IOException {
        Path temp = file.resolveSibling("." + FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer chunk = ByteBuffer.allocate(COMPACTION_CHUNK); // many lines a write, not one each
            for (JournalEntry e : entries) {
                byte[] line = LocalJson.encodeLine(JournalEntry.class, e);
                if (line.length > chunk.remaining()) {
                    writeAll(out, chunk.flip());
                    chunk.clear();
                }
                if (line.length > chunk.capacity()) {
                    writeAll(out, ByteBuffer.wrap(line));
                } else {
                    chunk.put(line);
                }
            }
            writeAll(out, chunk.flip());
            if (durable) {
                out.force(true);
            }
        }
        return temp;
    }

    /**
     * Under the store's lock: appends to {@code compacted} (from {@link #writeCompacted}) every line appended since
     * {@code mark} (from {@link #mark}, taken with the snapshot it holds), flushes it, renames it over the journal
     * and appends there from now on.
     */
    void replaceWith(Path compacted, long mark) throws IOException {
        if (closed) {
            throw new IOException("the access journal was closed"); // a compaction that ends after the store did
        }
        try (FileChannel out = FileChannel.open(compacted, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            if (channel != null) {
                long from = sizeAfterCompaction + (mark - appendedAtCompaction); // the mark's place in the file
                long to = sizeAfterCompaction + (appended - appendedAtCompaction);
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    for (long at = from; at < to; ) {
                        at += in.transferTo(at, to - at, out);
                    }
                }
            }
            if (durable) {
                out.force(true);
            }
        }
        Files.move(compacted, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            AtomicFiles.syncDirectory(file.getParent());
        }
        whileNoFlush(() -> { // a leader's flush of the old file ends before it is closed
            if (channel != null) {
                channel.close();
            }
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            sizeAfterCompaction = channel.size();
            appendedAtCompaction = appended;
            synced = appended; // the compacted file, flushed, holds every change appended so far
        });
    }

    private static void writeAll(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** For tests: the journal stops accepting lines, as a disk that fails would. */
    void breakForTest() throws IOException {
        channel.close();
    }

    /** Flushes what {@link #syncSoon} left for the flusher, then closes the file. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (durable && !failed && channel != null && channel.isOpen()) {
                sync(appended);
            }
        } finally {
            closed = true;
            flusher.stop();
            closeChannel();
        }
    }

    private void closeChannel() throws IOException {
        whileNoFlush(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }
}
