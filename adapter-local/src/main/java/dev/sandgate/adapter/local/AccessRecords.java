package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.AccessIndex.PreviewState;
import dev.sandgate.adapter.local.AccessIndex.TokenState;
import dev.sandgate.adapter.local.LocalRecords.JournalEntry;
import dev.sandgate.adapter.local.LocalRecords.PreviewRecord;
import dev.sandgate.adapter.local.LocalRecords.TokenRecord;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionRevocations;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access store's records on the disk: the append-only {@link AccessJournal} (one line per change, the
 * preview's whole new record or a short removal), compacted when the store opens and when it grows; and, read once
 * and moved into the journal, the older layout of one file per preview, {@code <dir>/<sandbox>/<preview>.json}.
 * Token values are never written, only their nonces. Changes are appended under the store's lock and synced outside
 * it (group commit, see {@link AccessJournal}); a failure is {@code Unavailable}. A compaction while the store is
 * open runs on a thread of its own; only its last step (the lines appended meanwhile, the rename) holds the lock.
 */
final class AccessRecords {
    private static final String SUFFIX = ".json";
    private static final Logger LOG = LoggerFactory.getLogger(AccessRecords.class);

    private final Path dir;
    private final AccessJournal journal;
    private final TokenMinter minter;
    private final AccessIndex index;
    private final Object lock;
    /** Whether a compaction is under way; guarded by {@link #lock}. */
    private boolean compacting;
    /** Run by a compaction between writing its snapshot and swapping it in (tests hold it there). */
    private volatile Runnable whileCompacting = () -> { };

    /** @param lock the store's lock, which every change holds while it appends */
    AccessRecords(Path dir, boolean durable, TokenMinter minter, AccessIndex index, Object lock) {
        this.lock = lock;
        this.dir = dir;
        this.journal = new AccessJournal(dir, durable);
        this.minter = minter;
        this.index = index;
    }

    /** Appends the preview's new record (under the lock); returns where it ends, for {@link #sync}. */
    long put(Preview preview, long seq, List<TokenState> tokens) {
        return append(JournalEntry.put(record(preview, seq, tokens)), "preview " + preview.name() + " of sandbox "
                + preview.sandbox() + " could not be saved");
    }

    /** Appends the removal of a preview (under the lock). */
    long delete(SandboxName sandbox, PreviewName name, String failure) {
        return append(JournalEntry.del(sandbox.value(), name.value()), failure);
    }

    /** Appends a revoke-all (under the lock). */
    long revoke(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo, String failure) {
        return append(JournalEntry.revoke(sandbox.value(), subject.map(SessionSubject::value).orElse(null),
                issuedUpTo), failure);
    }

    /** Appends the removal of a sandbox's previews (under the lock). */
    long drop(SandboxName sandbox, String failure) {
        return append(JournalEntry.drop(sandbox.value()), failure);
    }

    /** Outside the lock: returns at once; the journal holds the change on the disk soon after (see the journal). */
    void syncSoon(long end) {
        journal.syncSoon(end);
    }

    /** For tests: see {@link AccessJournal#beforeFlushForTest}. */
    void beforeFlushForTest(Runnable hook) {
        journal.beforeFlushForTest(hook);
    }

    /** The journal takes no more changes (as after a failed flush): see {@link FileAccessStore#verify}. */
    void failClosed() {
        journal.markFailed();
    }

    /** Whether the journal failed (a flush, or a change that takes access away, could not be written). */
    boolean failed() {
        return journal.failed();
    }

    /** Flushes what waits to be flushed and closes the journal. */
    void close() throws IOException {
        journal.close();
    }

    /** For tests: see {@link AccessJournal#pauseFlusherForTest}. */
    void pauseFlusherForTest() {
        journal.pauseFlusherForTest();
    }

    /** For tests: where the journal ends. */
    long appendedForTest() {
        return journal.mark();
    }

    /** For tests: whether the disk holds the journal up to {@code end}. */
    boolean syncedForTest(long end) {
        return journal.syncedUpTo(end);
    }

    /** Outside the lock: returns once the journal holds the change on the disk (group commit). */
    void sync(long end, String failure) {
        try {
            journal.sync(end);
        } catch (IOException e) {
            throw unavailable(failure, e);
        }
    }

    private static PreviewRecord record(Preview preview, long seq, List<TokenState> tokens) {
        List<TokenRecord> records = new ArrayList<>(tokens.size());
        for (TokenState t : tokens) {
            TokenRecord r = new TokenRecord();
            r.name = t.name.value();
            r.nonce = TokenMinter.encodeNonce(t.nonce);
            r.expiresAt = t.expiresAt;
            r.seq = t.seq;
            records.add(r);
        }
        return PreviewRecord.of(preview, seq, records);
    }

    /**
     * Under the lock: one journal line, after starting a compaction in the background if the journal has grown
     * enough. Before the line, not after: the caller changes the index after appending (most changes) or before
     * (a revocation), and the snapshot must hold exactly what the journal holds up to its mark, with every line
     * after the mark (this one included) replayed over it. (A compaction taken after the line, from an index
     * without its change, lost that change.)
     */
    private long append(JournalEntry entry, String failure) {
        try {
            if (!compacting && journal.wantsCompaction()) {
                compactInBackground();
            }
            return journal.append(entry);
        } catch (IOException e) {
            throw unavailable(failure, e);
        }
    }

    /**
     * Under the lock: takes a snapshot of the live previews (references to what the index holds, no encoding) and
     * where the journal ends, then lets a thread of its own write it out and swap it in ({@link AccessJournal}), so
     * that no change of any sandbox (a revocation included) waits while every live preview is written.
     */
    private void compactInBackground() {
        compacting = true;
        Snapshot snapshot = snapshot();
        Thread compactor = new Thread(() -> {
            try {
                Path compacted = journal.writeCompacted(snapshot.entries());
                whileCompacting.run();
                synchronized (lock) {
                    journal.replaceWith(compacted, snapshot.mark());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("the access journal could not be compacted (it keeps growing until the next try): {}",
                        e.getMessage());
            } finally {
                synchronized (lock) {
                    compacting = false;
                }
            }
        }, "sandgate-journal-compaction");
        compactor.setDaemon(true);
        compactor.start();
    }

    /** Rewrites the journal as one line per live preview of the index, at once (under the lock, when opening). */
    private void compact() throws IOException {
        Snapshot snapshot = snapshot();
        journal.compact(snapshot.entries());
    }

    /** Under the lock: the revocations and the live previews as they are now, and where the journal ends. */
    private Snapshot snapshot() {
        List<PreviewState> previews = index.all();
        List<Live> live = new ArrayList<>(previews.size());
        for (PreviewState p : previews) {
            live.add(new Live(p.preview, p.seq, p.tokens)); // each is replaced whole on change, never changed
        }
        return new Snapshot(index.allRevocations(), live, journal.mark());
    }

    private record Live(Preview preview, long seq, List<TokenState> tokens) {
    }

    private record Snapshot(Map<SandboxName, SessionRevocations> revocations, List<Live> previews, long mark) {
        List<JournalEntry> entries() {
            List<JournalEntry> entries = new ArrayList<>(previews.size() + revocations.size());
            revocations.forEach((sandbox, r) -> {
                r.everySession().ifPresent(upTo -> entries.add(JournalEntry.revoke(sandbox.value(), null, upTo)));
                r.bySubject().forEach((subject, upTo) -> entries.add(JournalEntry.revoke(sandbox.value(),
                        subject.value(), upTo)));
            });
            for (Live p : previews) {
                entries.add(JournalEntry.put(record(p.preview(), p.seq(), p.tokens())));
            }
            return entries;
        }
    }

    /** For tests: what a compaction runs after writing its snapshot, before it takes the lock to swap it in. */
    void whileCompactingForTest(Runnable hook) {
        whileCompacting = hook;
    }

    /** For tests: whether a compaction is under way. */
    boolean compactingForTest() {
        synchronized (lock) {
            return compacting;
        }
    }

    /** For tests: the disk stops taking the journal's lines. */
    void breakForTest() throws IOException {
        journal.breakForTest();
    }

    /**
     * Loads the records of the older layout into the index, then replays the journal over them, then writes the
     * journal anew (which drops a torn last line) and removes the older files. Called once, under the store's lock.
     * Returns the highest sequence number found.
     */
    long load() {
        long[] maxSeq = {0};
        List<Path> legacy = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> sandboxes = Files.newDirectoryStream(dir)) {
                for (Path sandboxDir : sandboxes) {
                    if (Files.isDirectory(sandboxDir, LinkOption.NOFOLLOW_LINKS)) {
                        legacy.add(sandboxDir);
                        maxSeq[0] = Math.max(maxSeq[0], loadLegacy(sandboxDir));
                    }
                }
            }
            journal.replay(entry -> {
                try {
                    maxSeq[0] = Math.max(maxSeq[0], apply(entry));
                } catch (IOException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            });
            compact();
            for (Path old : legacy) {
                AtomicFiles.deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the access store could not be read", e);
        }
        return maxSeq[0];
    }

    private long loadLegacy(Path sandboxDir) throws IOException {
        long maxSeq = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(sandboxDir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (file.getFileName().toString().startsWith(".")) {
                    continue; // a temporary file left by a crash
                }
                try {
                    PreviewRecord record = LocalJson.decode(PreviewRecord.class, Files.readAllBytes(file),
                            "preview record " + file.getFileName());
                    maxSeq = Math.max(maxSeq, loadPreview(record, "preview record " + file.getFileName()));
                } catch (IOException e) {
                    // Fails closed: the preview and its tokens are unusable until the file is repaired.
                    LOG.error("ignoring a preview of sandbox {}: {}", sandboxDir.getFileName(), e.getMessage());
                }
            }
        }
        return maxSeq;
    }

    /** One journal line, replayed; returns the highest sequence number it holds. */
    private long apply(JournalEntry entry) throws IOException {
        switch (String.valueOf(entry.op)) {
            case "put" -> {
                if (entry.preview == null) {
                    throw new IOException("a put line without a preview");
                }
                return loadPreview(entry.preview, "journal record of preview " + entry.preview.name);
            }
            case "del" -> {
                index.find(SandboxName.of(entry.sandbox), PreviewName.of(entry.name)).ifPresent(index::remove);
                return 0;
            }
            case "revoke" -> {
                if (entry.before == null) {
                    throw new IOException("a revoke line without its instant");
                }
                index.revoke(SandboxName.of(entry.sandbox), Optional.ofNullable(entry.subject).map(SessionSubject::of),
                        entry.before);
                return 0;
            }
            case "drop" -> {
                index.removeSandbox(SandboxName.of(entry.sandbox));
                return 0;
            }
            default -> throw new IOException("unknown journal operation '" + entry.op + "'");
        }
    }

    /** Puts a preview's record in the index, replacing an earlier one of that preview; returns its highest sequence. */
    private long loadPreview(PreviewRecord record, String what) throws IOException {
        Preview preview;
        try {
            preview = record.preview();
        } catch (RuntimeException e) {
            throw new IOException(what + " is invalid: " + e.getMessage(), e);
        }
        PreviewState state = new PreviewState(preview, record.seq);
        long maxSeq = record.seq;
        List<TokenState> tokens = new ArrayList<>();
        List<TokenRecord> tokenRecords = record.tokens == null ? List.of() : record.tokens;
        for (TokenRecord r : tokenRecords) {
            try {
                TokenName name = TokenName.of(r.name);
                byte[] nonce = TokenMinter.decodeNonce(Objects.requireNonNull(r.nonce, "nonce"));
                tokens.add(new TokenState(state, name, nonce, minter.derive(preview.sandbox(), preview.name(), name,
                        nonce), Objects.requireNonNull(r.expiresAt, "expiresAt"), r.seq));
                maxSeq = Math.max(maxSeq, r.seq);
            } catch (RuntimeException e) {
                throw new IOException("a token of " + what + " is invalid", e);
            }
        }
        tokens.sort(Comparator.comparingLong(t -> t.seq));
        state.tokens = List.copyOf(tokens);
        index.put(state);
        return maxSeq;
    }

    static SandgateException.Unavailable unavailable(String message, IOException e) {
        LOG.warn("{}: {}", message, e.toString());
        return new SandgateException.Unavailable(message, e);
    }
}
