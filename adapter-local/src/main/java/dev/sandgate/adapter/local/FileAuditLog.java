package dev.sandgate.adapter.local;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail on this machine: one append-only file per sandbox, {@code <dir>/<sandbox>.jsonl}, one JSON line per
 * entry carrying its sequence number (the cursor).
 *
 * <p><b>Never half a record.</b> A line is written with one {@code write} of its whole bytes, ending in a line feed.
 * A crash may still leave a last line cut short: reading ignores a line without its line feed, and the next append
 * first cuts the file back to its last whole line, so nothing is ever glued to a torn one.
 *
 * <p><b>Retention</b> is enforced on append: once a file holds a tenth more than {@link AuditRetention#maxEntries()}
 * lines, or its oldest entry is a tenth older than {@link AuditRetention#maxAge()}, it is rewritten (temporary file,
 * renamed over it) with only what the retention keeps. Reads apply the retention exactly, whatever is still on disk.
 * A sandbox whose trail is not appended to again keeps its file until a later append; reads never show its expired
 * entries.
 *
 * <p>Appends come from the broker's audit worker, reads from request workers: each sandbox's file is guarded by a lock
 * of its own.
 */
public final class FileAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(FileAuditLog.class);
    private static final Pattern CURSOR = Pattern.compile("[0-9]{1,18}");
    private static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final AuditRetention retention;
    private final Clock clock;
    private final boolean durable;
    private final Map<SandboxName, Trail> trails = new ConcurrentHashMap<>();

    private FileAuditLog(Path dir, AuditRetention retention, Clock clock, boolean durable) {
        this.dir = dir;
        this.retention = retention;
        this.clock = clock;
        this.durable = durable;
    }

    /**
     * The trails under {@code dir} (created, mode 0700, if missing); with {@code durable}, each append is flushed
     * to the disk before it returns.
     */
    public static FileAuditLog open(Path dir, AuditRetention retention, Clock clock, boolean durable) {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(retention, "retention must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException notPosix) {
                    // nothing to restrict
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the audit directory " + dir + " cannot be created", e);
        }
        return new FileAuditLog(dir, retention, clock, durable);
    }

    @Override
    public AuditRetention retention() {
        return retention;
    }

    @Override
    public void append(AuditEntry entry) {
        Objects.requireNonNull(entry, "entry must not be null");
        Trail trail = trail(entry.sandbox());
        synchronized (trail) {
            try {
                trail.load();
                long seq = trail.nextSeq++;
                byte[] line = AuditLine.encode(seq, entry);
                try (FileChannel channel = FileChannel.open(trail.file, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    ByteBuffer buffer = ByteBuffer.wrap(line);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    if (durable) {
                        channel.force(false);
                    }
                }
                trail.lines++;
                if (trail.oldest == null) {
                    trail.oldest = entry.time();
                }
                if (trail.overdue(clock.instant())) {
                    compact(trail);
                }
            } catch (IOException e) {
                trail.loaded = false;
                throw SandgateException.Unavailable.store("the audit trail of " + entry.sandbox()
                        + " cannot be written (" + e.getClass().getSimpleName() + ")", e);
            }
        }
    }

    @Override
    public AuditPage query(SandboxName sandbox, AuditQuery query) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(query, "query must not be null");
        long after = query.cursor().map(FileAuditLog::cursor).orElse(-1L);
        Trail trail = trail(sandbox);
        List<AuditLine.Read> kept;
        synchronized (trail) {
            try {
                kept = kept(read(trail.file), clock.instant());
            } catch (IOException e) {
                throw SandgateException.Unavailable.store("the audit trail of " + sandbox + " cannot be read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        List<AuditEntry> out = new ArrayList<>();
        for (AuditLine.Read line : kept) {
            if (line.seq() <= after || !query.matches(line.entry())) {
                continue;
            }
            out.add(line.entry());
            if (out.size() == query.limit()) {
                return new AuditPage(out, Optional.of(Long.toString(line.seq())));
            }
        }
        return new AuditPage(out, Optional.empty());
    }

    private Trail trail(SandboxName sandbox) {
        return trails.computeIfAbsent(sandbox, s -> new Trail(dir.resolve(s.value() + SUFFIX)));
    }

    /** What the retention keeps of {@code lines} at {@code now}: the newest {@code maxEntries}, young enough. */
    private List<AuditLine.Read> kept(List<AuditLine.Read> lines, Instant now) {
        Instant oldest = now.minus(retention.maxAge());
        int from = Math.max(0, lines.size() - retention.maxEntries());
        return lines.subList(from, lines.size()).stream().filter(l -> l.entry().time().isAfter(oldest)).toList();
    }

    /** Rewrites the trail's file with what the retention keeps. Under the trail's lock. */
    private void compact(Trail trail) throws IOException {
        List<AuditLine.Read> kept = kept(read(trail.file), clock.instant());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (AuditLine.Read line : kept) {
            out.write(AuditLine.encode(line.seq(), line.entry()));
        }
        AtomicFiles.write(trail.file, out.toByteArray(), durable);
        trail.lines = kept.size();
        trail.oldest = kept.isEmpty() ? null : kept.get(0).entry().time();
    }

    /** The whole, readable lines of {@code file}, in order; a torn last line and unreadable lines are skipped. */
    private static List<AuditLine.Read> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<AuditLine.Read> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                String text = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
                try {
                    lines.add(AuditLine.decode(text));
                } catch (RuntimeException | IOException unreadable) {
                    LOG.warn("skipping an unreadable line of {}", file.getFileName());
                }
            }
        }
        return lines;
    }

    private static long cursor(String cursor) {
        if (!CURSOR.matcher(cursor).matches()) {
            throw new SandgateException.InvalidRequest("cursor is not one this audit trail returned");
        }
        return Long.parseLong(cursor);
    }

    /** One sandbox's file and what appending needs to know of it. Guarded by its own monitor. */
    private final class Trail {
        final Path file;
        boolean loaded;
        long nextSeq;
        int lines;
        Instant oldest;

        Trail(Path file) {
            this.file = file;
        }

        /** Reads the file once: its next sequence number, its size; cuts a torn last line off. */
        void load() throws IOException {
            if (loaded) {
                return;
            }
            if (Files.exists(file)) {
                cutTornTail();
            }
            List<AuditLine.Read> all = read(file);
            nextSeq = all.isEmpty() ? 1 : all.get(all.size() - 1).seq() + 1;
            lines = all.size();
            oldest = all.isEmpty() ? null : all.get(0).entry().time();
            loaded = true;
        }

        private void cutTornTail() throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = channel.size();
                long end = size;
                ByteBuffer one = ByteBuffer.allocate(1);
                while (end > 0) {
                    one.clear();
                    channel.read(one, end - 1);
                    if (one.get(0) == '\n') {
                        break;
                    }
                    end--;
                }
                if (end < size) {
                    LOG.warn("cutting a torn last line off {}", file.getFileName());
                    channel.truncate(end);
                    channel.force(false);
                }
            }
        }

        boolean overdue(Instant now) {
            int slack = Math.max(retention.maxEntries() / 10, 16);
            if (lines > retention.maxEntries() + slack) {
                return true;
            }
            Instant limit = now.minus(retention.maxAge()).minus(retention.maxAge().dividedBy(10));
            return oldest != null && oldest.isBefore(limit);
        }
    }
}
