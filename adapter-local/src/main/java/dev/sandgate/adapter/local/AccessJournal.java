package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.LocalRecords.JournalEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access store's append-only journal, {@code <dir>/journal.log}: one JSON line per change
 * ({@link JournalEntry}), replayed in order when the store opens.
 *
 * <p><b>Group commit.</b> {@link #append} writes a line (under the store's lock, without waiting for the disk) and
 * returns where it ends; {@link #sync} (outside the lock) returns once the disk holds at least that much, with one
 * {@code fdatasync} covering every line appended meanwhile. So concurrent changes share one flush instead of paying
 * one each, and a change is acknowledged only once it is on the disk (with {@code durable}; without it, writes are
 * left to the OS, for tests).
 *
 * <p><b>Crash safety.</b> A crash can leave a last line cut short: replay ignores a line without its line feed, or
 * one that does not parse (logged), and opening the store rewrites the journal without it ({@link #compact}).
 *
 * <p><b>Compaction.</b> When the journal has grown to {@value #GROWTH}× its size after the last compaction (and at
 * least {@value #MIN_COMPACT_BYTES} bytes), the store rewrites it with one {@code put} per live preview: a temporary
 * file, flushed, renamed over the journal, directory flushed; a crash meanwhile leaves the old journal whole.
 */
final class AccessJournal implements AutoCloseable {
    static final String FILE = "journal.log";
    private static final int GROWTH = 4;
    private static final long MIN_COMPACT_BYTES = 4L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AccessJournal.class);

    private final Path file;
    private final boolean durable;
    private final Object syncLock = new Object();
    private FileChannel channel;
    /** End of what was appended; guarded by the store's lock. */
    private volatile long written;
    /** End of what the disk holds; guarded by {@link #syncLock}. */
    private long synced;
    private long sizeAfterCompaction;
    private volatile boolean failed;

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
        if (failed) {
            throw new IOException("the access journal failed to reach the disk earlier; restart to recover");
        }
        ByteBuffer bytes = ByteBuffer.wrap(LocalJson.encodeLine(JournalEntry.class, entry));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        written = channel.position();
        return written;
    }

    /** Returns once the disk holds the journal up to {@code upTo}, flushing it if no one else did. */
    void sync(long upTo) throws IOException {
        if (!durable) {
            return;
        }
        synchronized (syncLock) {
            if (synced >= upTo) {
                return; // another change's flush covered this one
            }
            long target = written;
            try {
                channel.force(false);
            } catch (IOException e) {
                failed = true; // what the page cache holds may never reach the disk: accept no more changes
                throw e;
            }
            synced = target;
        }
    }

    boolean wantsCompaction() {
        return written >= MIN_COMPACT_BYTES && written >= GROWTH * sizeAfterCompaction;
    }

    /**
     * Rewrites the journal as {@code entries} (a temporary file, flushed, renamed over it) and appends from there.
     * Called under the store's lock, with nothing appended since the last {@link #sync} left unflushed by the
     * caller's choice: the new file is flushed before it replaces the old one.
     */
    void compact(List<JournalEntry> entries) throws IOException {
        Path temp = file.resolveSibling("." + FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            List<byte[]> lines = new ArrayList<>(entries.size());
            for (JournalEntry e : entries) {
                lines.add(LocalJson.encodeLine(JournalEntry.class, e));
            }
            for (byte[] line : lines) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            if (durable) {
                out.force(true);
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            AtomicFiles.syncDirectory(file.getParent());
        }
        synchronized (syncLock) {
            if (channel != null) {
                channel.close();
            }
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            written = channel.size();
            synced = written;
            sizeAfterCompaction = written;
        }
    }

    /** For tests: the journal stops accepting lines, as a disk that fails would. */
    void breakForTest() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws IOException {
        synchronized (syncLock) {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
