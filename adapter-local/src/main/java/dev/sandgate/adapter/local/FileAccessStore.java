package dev.sandgate.adapter.local;

// Over 400 lines: one method per AccessStore operation, each one change under the store's one lock, with the choice
// of when it is on the disk beside it; the journal, the index and the token minting are classes of their own, and
// splitting the operations apart would scatter that lock discipline.

import dev.sandgate.adapter.local.AccessIndex.PreviewState;
import dev.sandgate.adapter.local.AccessIndex.TokenState;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Previews and preview tokens kept on the disk, for the local runtime and for a broker in front of any provider.
 *
 * <p><b>Layout.</b> One append-only journal, {@code <dir>/journal.log} ({@link AccessRecords}, {@link AccessJournal}):
 * a change to a preview or one of its tokens appends that preview's whole new record as one line, a removal appends
 * one short line. Concurrent changes share one flush (group commit), so a mint costs a line and a share of an
 * {@code fdatasync} instead of a file rewritten and flushed on its own. The journal is replayed and compacted when
 * the store opens, and compacted when it grows. (Stores written before the journal, one file per preview in
 * {@code <dir>/<sandbox>/<preview>.json}, are read once and moved into it.) Everything is loaded into memory
 * ({@link AccessIndex}) when the store opens; reads and {@link #verify} never touch the disk.
 *
 * <p><b>Token values.</b> A token's value is never stored: it is derived with HMAC from a nonce in its record and
 * the key ({@link TokenMinter}). The key lives elsewhere ({@link KeyFile}: {@code secret.key}, {@code 0600}, created
 * on first start, or wherever the operator keeps it), so a copy of the records without the key yields no usable
 * token, while the API-key holder can still list the values, as the wire protocol's token list requires. Listing
 * derives every value again from its nonce and the key.
 *
 * <p><b>Verification.</b> By a digest of the presented value, then one constant-time comparison (see
 * {@link AccessIndex}); malformed values are refused before any lookup.
 *
 * <p><b>Cap.</b> A preview keeps at most {@link PreviewToken#MAX_PER_PREVIEW} tokens; see {@link #mintToken}. A record
 * written before the cap existed may hold more; the next mint for that preview brings it back under the cap.
 *
 * <p><b>When a change is on the disk</b> ({@link Sync}): a change that takes access away (a removal, a revoke-all, a
 * replaced preview, a mint that evicts tokens) returns once the disk holds it; one that only grants (a new preview, a
 * mint that evicts none, a renewal) by default returns once it is written, and is on the disk within
 * {@value JournalFlusher#PERIOD_MILLIS} ms, as Redis's {@code appendfsync everysec} does for the Redis store, but with a
 * fifth of its window and never for a revocation. A broker that crashes loses no change either way (what is written
 * is in the OS's cache); a machine that stops in that window may lose grants, and a lost grant fails closed (a
 * token, a session or a longer expiry that no longer verifies), while a revocation is never lost.
 *
 * <p>Thread-safe: changes are serialised by one lock; lookups and verification read concurrent maps.
 */
public final class FileAccessStore implements AccessStore, AutoCloseable {
    /** When a change is on the disk before its call returns. */
    public enum Sync {
        /** Changes that take access away wait for the disk; grants are flushed within moments (the default). */
        REVOCATIONS,
        /** Every change waits for the disk. */
        EVERY_CHANGE
    }

    /** Prefix of every token value, so that secret scanners can find leaked ones. */
    public static final String PREFIX = TokenMinter.PREFIX;

    private final TokenMinter minter;
    private final AccessIndex index = new AccessIndex();
    private final AccessRecords records;
    private final Object lock = new Object();
    private final AtomicLong sequence = new AtomicLong();
    private final Sync sync;

    private FileAccessStore(Path dir, byte[] key, boolean durable, Sync sync) {
        this.minter = new TokenMinter(key);
        this.records = new AccessRecords(dir, durable, minter, index, lock);
        this.sync = Objects.requireNonNull(sync, "sync must not be null");
    }

    /**
     * Opens the store in {@code dir} (created if missing) with the key in {@code keyFile} (created with 32 random
     * bytes and mode {@code 0600} if missing), loading every preview and token; {@link Sync#REVOCATIONS}.
     */
    public static FileAccessStore open(Path dir, Path keyFile, boolean durable) {
        return open(dir, keyFile, durable, Sync.REVOCATIONS);
    }

    /**
     * As {@link #open(Path, Path, boolean)}, with {@code sync} saying which changes wait for the disk ({@code durable}
     * false: none is flushed, for tests).
     */
    public static FileAccessStore open(Path dir, Path keyFile, boolean durable, Sync sync) {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(keyFile, "keyFile must not be null");
        return open(dir, loadOrCreateKey(keyFile, durable), durable, sync);
    }

    /** Opens the store in {@code dir} with a key the caller supplies (at least 32 bytes). */
    public static FileAccessStore open(Path dir, byte[] key, boolean durable) {
        return open(dir, key, durable, Sync.REVOCATIONS);
    }

    /** Opens the store in {@code dir} with a key the caller supplies (at least 32 bytes). */
    public static FileAccessStore open(Path dir, byte[] key, boolean durable, Sync sync) {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(key, "key must not be null");
        FileAccessStore store = new FileAccessStore(dir.toAbsolutePath().normalize(), key, durable, sync);
        synchronized (store.lock) {
            store.sequence.set(store.records.load());
        }
        return store;
    }

    /**
     * Reads the key file, or creates it with {@value KeyFile#KEY_BYTES} random bytes, owner-only ({@code 0600}),
     * atomically (so two processes starting together agree on one key). Public so that another store of the same
     * cluster (Redis) derives its tokens from the same key file.
     */
    public static byte[] loadOrCreateKey(Path keyFile, boolean durable) {
        return KeyFile.loadOrCreate(keyFile, durable);
    }

    // ------------------------------------------------------------------ previews

    @Override
    public Preview insertPreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        long end;
        synchronized (lock) {
            if (index.find(preview.sandbox(), preview.name()).isPresent()) {
                throw new SandgateException.Conflict("preview " + preview.name() + " already exists in sandbox "
                        + preview.sandbox());
            }
            refuseRevoked(preview);
            PreviewState state = new PreviewState(preview, sequence.incrementAndGet());
            end = records.put(state.preview, state.seq, List.of());
            index.put(state);
        }
        granted(end, saveFailure(preview.sandbox(), preview.name()));
        return preview;
    }

    @Override
    public Preview replacePreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        long end;
        synchronized (lock) {
            PreviewState state = index.find(preview.sandbox(), preview.name()).orElseThrow(() ->
                    new SandgateException.NotFound("preview " + preview.name() + " not found in sandbox "
                            + preview.sandbox()));
            refuseRevoked(preview);
            end = revoking(() -> records.put(preview, state.seq, state.tokens));
            state.preview = preview;
        }
        records.sync(end, saveFailure(preview.sandbox(), preview.name()));
        return preview;
    }

    /** Under the lock: a session that a revoke-all took back never comes (back) into the store. */
    private void refuseRevoked(Preview preview) {
        if (index.revocations(preview.sandbox()).covers(preview)) {
            throw revokedConflict(preview);
        }
    }

    static SandgateException.Conflict revokedConflict(Preview preview) {
        return new SandgateException.Conflict("session " + preview.name() + " of sandbox " + preview.sandbox()
                + " was created at " + preview.createdAt() + ", when its sessions had been revoked: mint a new one");
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return index.find(sandbox, name).map(s -> s.preview);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        return index.previews(sandbox);
    }

    @Override
    public Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        String failure = "preview " + name + " of sandbox " + sandbox + " could not be removed";
        Optional<PreviewState> state;
        long end;
        synchronized (lock) {
            state = index.find(sandbox, name);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            end = revoking(() -> records.delete(sandbox, name, failure));
            index.remove(state.get());
        }
        records.sync(end, failure);
        return Optional.of(state.get().preview);
    }

    @Override
    public void removeSandbox(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        String failure = "previews of sandbox " + sandbox + " could not be removed";
        long end;
        synchronized (lock) {
            if (!index.holdsSandbox(sandbox)) {
                return;
            }
            end = revoking(() -> records.drop(sandbox, failure));
            index.removeSandbox(sandbox);
        }
        records.sync(end, failure);
    }

    /** {@inheritDoc} One journal line, replayed as the same change. */
    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(issuedUpTo, "issuedUpTo must not be null");
        String failure = "the sessions of sandbox " + sandbox + " could not be revoked";
        int revoked;
        long end;
        synchronized (lock) {
            // the index first: a compaction the line may start writes it from the index, and a journal that fails
            // leaves the revocation in force here all the same (it fails towards revoking)
            revoked = index.revoke(sandbox, subject, issuedUpTo);
            end = revoking(() -> records.revoke(sandbox, subject, issuedUpTo, failure));
        }
        records.sync(end, failure);
        return revoked;
    }

    /**
     * {@inheritDoc} One journal line (the preview's new record with its tokens); token values are derived from their
     * nonces, which stay, so every value stays what it was.
     */
    @Override
    public Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt, Instant now) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(now, "now must not be null");
        Preview renewed;
        long end;
        synchronized (lock) {
            Optional<PreviewState> found = index.find(sandbox, session);
            if (found.isEmpty() || !found.get().preview.isSandboxApi() || found.get().preview.isExpiredAt(now)) {
                return Optional.empty();
            }
            PreviewState state = found.get();
            Optional<Instant> old = state.preview.expires();
            if (old.isPresent() && !expiresAt.isAfter(old.get())) {
                return Optional.of(state.preview);
            }
            renewed = new Preview(sandbox, state.preview.spec().withExpires(expiresAt), state.preview.url(),
                    state.preview.createdAt());
            List<TokenState> moved = new ArrayList<>(state.tokens.size());
            List<TokenState> replaced = new ArrayList<>();
            for (TokenState t : state.tokens) {
                if (t.toToken().expiresWith(old)) {
                    moved.add(new TokenState(state, t.name, t.nonce, t.tokenValue, expiresAt, t.seq));
                    replaced.add(t);
                } else {
                    moved.add(t);
                }
            }
            state.preview = renewed;
            index.replaceTokens(state, moved, replaced);
            end = records.put(renewed, state.seq, moved);
        }
        granted(end, saveFailure(sandbox, session));
        return Optional.of(renewed);
    }

    // ------------------------------------------------------------------ tokens

    /**
     * {@inheritDoc}
     *
     * <p>The evicted tokens leave the preview's record in the same journal line that adds the new token, so a crash
     * leaves either the old record or the new one; they leave the verification index only once that line is
     * written, and a mint that evicts returns once it is on the disk (one that evicts none, as {@link Sync} says).
     */
    @Override
    public PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt,
                                  Instant now) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(now, "now must not be null");
        byte[] nonce = minter.newNonce();
        long end;
        TokenState token;
        boolean evicts;
        synchronized (lock) {
            PreviewState state = index.find(sandbox, preview).orElseThrow(() ->
                    new SandgateException.NotFound("preview " + preview + " not found in sandbox " + sandbox));
            if (state.tokens.stream().anyMatch(t -> t.name.equals(name))) {
                throw new SandgateException.Conflict("token " + name + " already exists in preview " + preview);
            }
            List<TokenState> evicted = AccessIndex.evictedToMakeRoom(state.tokens, now);
            token = new TokenState(state, name, nonce, minter.derive(sandbox, preview, name, nonce), expiresAt,
                    sequence.incrementAndGet());
            List<TokenState> tokens = new ArrayList<>(state.tokens);
            tokens.removeAll(evicted);
            tokens.add(token);
            evicts = !evicted.isEmpty();
            end = evicts ? revoking(() -> records.put(state.preview, state.seq, tokens))
                    : records.put(state.preview, state.seq, tokens);
            index.replaceTokens(state, tokens, evicted);
        }
        if (evicts) {
            records.sync(end, saveFailure(sandbox, preview)); // an evicted token must never come back
        } else {
            granted(end, saveFailure(sandbox, preview));
        }
        return token.toToken();
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        Optional<PreviewState> state = index.find(sandbox, preview);
        if (state.isEmpty()) {
            return List.of();
        }
        List<TokenState> tokens = state.get().tokens;
        List<PreviewToken> listed = new ArrayList<>(tokens.size());
        for (int i = tokens.size() - 1; i >= 0; i--) {
            TokenState t = tokens.get(i);
            listed.add(t.toToken(minter.derive(sandbox, preview, t.name, t.nonce)));
        }
        return listed;
    }

    @Override
    public Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        Objects.requireNonNull(name, "name must not be null");
        long end;
        Optional<TokenState> token;
        synchronized (lock) {
            Optional<PreviewState> state = index.find(sandbox, preview);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            PreviewState s = state.get();
            token = s.tokens.stream().filter(t -> t.name.equals(name)).findFirst();
            if (token.isEmpty()) {
                return Optional.empty();
            }
            List<TokenState> remaining = new ArrayList<>(s.tokens);
            remaining.remove(token.get());
            end = revoking(() -> records.put(s.preview, s.seq, remaining));
            index.replaceTokens(s, remaining, List.of(token.get()));
        }
        records.sync(end, saveFailure(sandbox, preview));
        return Optional.of(token.get().toToken(minter.derive(sandbox, preview, name, token.get().nonce)));
    }

    @Override
    public Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now) {
        if (sandbox == null || preview == null || presented == null || now == null
                || !TokenMinter.wellFormed(presented)) {
            return Optional.empty();
        }
        if (records.failed()) {
            throw SandgateException.Unavailable.store("the access store can no longer record changes (its disk is "
                    + "full or failing), revocations included: no token is accepted until the broker restarts", null);
        }
        return index.verify(sandbox, preview, presented, now);
    }

    /** How many tokens are held (for tests and benchmarks). */
    int tokenCount() {
        return index.tokenCount();
    }

    /** For tests: the disk stops taking the journal's lines. */
    void breakJournalForTest() throws IOException {
        records.breakForTest();
    }

    /** For tests: what a compaction runs between writing its snapshot and swapping it in. */
    void whileCompactingForTest(Runnable hook) {
        records.whileCompactingForTest(hook);
    }

    /** For tests: whether a compaction is under way. */
    boolean compactingForTest() {
        return records.compactingForTest();
    }

    /**
     * Flushes the grants not on the disk yet and closes the journal; later changes fail ({@code Unavailable}), lookups
     * still answer from memory. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            try {
                records.close();
            } catch (IOException e) {
                throw AccessRecords.unavailable("the access journal could not be flushed and closed", e);
            }
        }
    }

    /**
     * Under the lock: appends a change that takes access away. When the journal cannot take it (a full or failing
     * disk), the store fails closed: {@link #verify} accepts no token any more until the broker restarts, so that a
     * revocation refused with 503 never leaves the access it was meant to end working.
     */
    private long revoking(java.util.function.LongSupplier append) {
        try {
            return append.getAsLong();
        } catch (SandgateException.Unavailable e) {
            records.failClosed();
            throw e;
        }
    }

    /** After a change that only grants: on the disk now, or soon ({@link Sync}). */
    private void granted(long end, String failure) {
        if (sync == Sync.EVERY_CHANGE) {
            records.sync(end, failure);
        } else {
            records.syncSoon(end);
        }
    }

    /** For tests: see {@link AccessJournal#beforeFlushForTest}. */
    void beforeFlushForTest(Runnable hook) {
        records.beforeFlushForTest(hook);
    }

    /** For tests: the journal's own thread stops flushing grants. */
    void pauseBackgroundFlushForTest() {
        records.pauseFlusherForTest();
    }

    /** For tests: whether everything appended so far is on the disk. */
    boolean flushedForTest() {
        return records.syncedForTest(records.appendedForTest());
    }

    private static String saveFailure(SandboxName sandbox, PreviewName preview) {
        return "preview " + preview + " of sandbox " + sandbox + " could not be saved";
    }
}
