package dev.sandgate.adapter.local;

// Over 400 lines: the embedded access store: minting, the key file, the journal and the in-memory index in one class; issue 12 asks for the split into minter, key file, record files and index, which is not done yet.

import dev.sandgate.adapter.local.LocalRecords.JournalEntry;
import dev.sandgate.adapter.local.LocalRecords.PreviewRecord;
import dev.sandgate.adapter.local.LocalRecords.TokenRecord;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.AccessStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Previews and preview tokens kept on the disk, for the local runtime and for a broker in front of any provider.
 *
 * <p><b>Layout.</b> One append-only journal, {@code <dir>/journal.log} ({@link AccessJournal}): a change to a preview
 * or one of its tokens appends that preview's whole new record as one line, a removal appends one short line.
 * Concurrent changes share one flush (group commit), so a mint costs a line and a share of an {@code fdatasync}
 * instead of a file rewritten and flushed on its own. The journal is replayed and compacted when the store opens, and
 * compacted when it grows. (Stores written before the journal, one file per preview in
 * {@code <dir>/<sandbox>/<preview>.json}, are read once and moved into it.) Everything is loaded into memory when the
 * store opens; reads and {@link #verify} never touch the disk.
 *
 * <p><b>Token values.</b> A token's value is never stored. Each token record holds a random 32-byte nonce, and its
 * value is {@value #PREFIX}{@code + base64url(HMAC-SHA256(key, "<sandbox>|<preview>|<token name>|" + nonce))}
 * (43 characters after the prefix, 256 bits). The key lives elsewhere ({@code secret.key}, {@code 0600}, created on
 * first start, or wherever the operator keeps it), so a copy of the records without the key yields no usable token,
 * while the API-key holder can still list the values, as the wire protocol's token list requires. Because the name
 * and preview are inside the MAC, a value is bound to its own sandbox, preview and token.
 *
 * <p><b>Verification.</b> An in-memory index maps SHA-256 of each live value (first 128 bits) to its token, so a
 * presented value is looked up by its hash: the attacker controls no comparison, and the derived value found (kept
 * in memory since the token was minted or loaded) is then compared with {@link MessageDigest#isEqual}. Unknown and
 * foreign tokens take the same path. Listing derives every value again from its nonce and the key.
 *
 * <p><b>Cap.</b> A preview keeps at most {@link PreviewToken#MAX_PER_PREVIEW} tokens; see {@link #mintToken}. A record
 * written before the cap existed may hold more; the next mint for that preview brings it back under the cap.
 *
 * <p>Thread-safe: changes are serialised by one lock; lookups and verification read concurrent maps.
 */
public final class FileAccessStore implements AccessStore {
    /** Prefix of every token value, so that secret scanners can find leaked ones. */
    public static final String PREFIX = "bxp_";
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 32;
    private static final int VALUE_CHARS = PREFIX.length() + 43;
    private static final String SUFFIX = ".json";
    private static final Logger LOG = LoggerFactory.getLogger(FileAccessStore.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Path dir;
    private final boolean durable;
    private final AccessJournal journal;
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    private final AtomicLong sequence = new AtomicLong();
    /** Guarded by {@link #lock} for changes; the inner maps are read without it. */
    private final Map<SandboxName, Map<PreviewName, PreviewState>> previews = new ConcurrentHashMap<>();
    private final Map<DigestKey, TokenState> index = new ConcurrentHashMap<>();

    private FileAccessStore(Path dir, byte[] key, boolean durable) {
        this.dir = dir;
        this.durable = durable;
        this.journal = new AccessJournal(dir, durable);
        if (key.length < KEY_BYTES) {
            throw new IllegalArgumentException("the token key has " + key.length + " bytes; it needs at least "
                    + KEY_BYTES);
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * Opens the store in {@code dir} (created if missing) with the key in {@code keyFile} (created with 32 random
     * bytes and mode {@code 0600} if missing), loading every preview and token.
     */
    public static FileAccessStore open(Path dir, Path keyFile, boolean durable) {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(keyFile, "keyFile must not be null");
        return open(dir, loadOrCreateKey(keyFile, durable), durable);
    }

    /** Opens the store in {@code dir} with a key the caller supplies (at least 32 bytes). */
    public static FileAccessStore open(Path dir, byte[] key, boolean durable) {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(key, "key must not be null");
        FileAccessStore store = new FileAccessStore(dir.toAbsolutePath().normalize(), key, durable);
        store.load();
        return store;
    }

    // ------------------------------------------------------------------ previews

    @Override
    public Preview insertPreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        long end;
        synchronized (lock) {
            Map<PreviewName, PreviewState> ofSandbox = previews.get(preview.sandbox());
            if (ofSandbox != null && ofSandbox.containsKey(preview.name())) {
                throw new SandgateException.Conflict("preview " + preview.name() + " already exists in sandbox "
                        + preview.sandbox());
            }
            PreviewState state = new PreviewState(preview, sequence.incrementAndGet());
            end = persist(state.preview, state.seq, List.of());
            previews.computeIfAbsent(preview.sandbox(), s -> new ConcurrentHashMap<>()).put(preview.name(), state);
        }
        sync(end, "preview " + preview.name() + " of sandbox " + preview.sandbox() + " could not be saved");
        return preview;
    }

    @Override
    public Preview replacePreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        long end;
        synchronized (lock) {
            PreviewState state = state(preview.sandbox(), preview.name()).orElseThrow(() ->
                    new SandgateException.NotFound("preview " + preview.name() + " not found in sandbox "
                            + preview.sandbox()));
            end = persist(preview, state.seq, state.tokens);
            state.preview = preview;
        }
        sync(end, "preview " + preview.name() + " of sandbox " + preview.sandbox() + " could not be saved");
        return preview;
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return state(sandbox, name).map(s -> s.preview);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Map<PreviewName, PreviewState> ofSandbox = previews.get(sandbox);
        if (ofSandbox == null) {
            return List.of();
        }
        return ofSandbox.values().stream().sorted(Comparator.comparingLong(s -> s.seq)).map(s -> s.preview).toList();
    }

    @Override
    public Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        String failure = "preview " + name + " of sandbox " + sandbox + " could not be removed";
        Optional<PreviewState> state;
        long end;
        synchronized (lock) {
            state = state(sandbox, name);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            end = append(JournalEntry.del(sandbox.value(), name.value()), failure);
            forget(state.get());
            previews.get(sandbox).remove(name);
        }
        sync(end, failure);
        return Optional.of(state.get().preview);
    }

    @Override
    public void removeSandbox(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        String failure = "previews of sandbox " + sandbox + " could not be removed";
        long end;
        synchronized (lock) {
            if (!previews.containsKey(sandbox)) {
                return;
            }
            end = append(JournalEntry.drop(sandbox.value()), failure);
            Map<PreviewName, PreviewState> ofSandbox = previews.remove(sandbox);
            ofSandbox.values().forEach(this::forget);
        }
        sync(end, failure);
    }

    // ------------------------------------------------------------------ tokens

    /**
     * {@inheritDoc}
     *
     * <p>The evicted tokens leave the preview's record in the same journal line that adds the new token, so a crash
     * leaves either the old record or the new one; they leave the verification index only once that line is
     * written, and the mint returns once it is on the disk.
     */
    @Override
    public PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt,
                                  Instant now) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(now, "now must not be null");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        long end;
        TokenState token;
        synchronized (lock) {
            PreviewState state = state(sandbox, preview).orElseThrow(() ->
                    new SandgateException.NotFound("preview " + preview + " not found in sandbox " + sandbox));
            if (state.tokens.stream().anyMatch(t -> t.name.equals(name))) {
                throw new SandgateException.Conflict("token " + name + " already exists in preview " + preview);
            }
            List<TokenState> evicted = evictedToMakeRoom(state.tokens, now);
            TokenValue value = TokenValue.of(derive(sandbox, preview, name, nonce));
            token = new TokenState(state, name, nonce, value, expiresAt, sequence.incrementAndGet());
            List<TokenState> tokens = new ArrayList<>(state.tokens);
            tokens.removeAll(evicted);
            tokens.add(token);
            end = persist(state.preview, state.seq, tokens);
            state.tokens = List.copyOf(tokens);
            evicted.forEach(t -> index.remove(t.key));
            index.put(token.key, token);
        }
        sync(end, "preview " + preview + " of sandbox " + sandbox + " could not be saved");
        return token.toToken();
    }

    /** The tokens {@link PreviewToken#evictedToMakeRoom} names, among {@code held} (oldest first). */
    private static List<TokenState> evictedToMakeRoom(List<TokenState> held, Instant now) {
        Set<TokenName> names = PreviewToken.evictedToMakeRoom(held.stream().map(TokenState::toToken).toList(), now)
                .stream().map(PreviewToken::name).collect(Collectors.toSet());
        return held.stream().filter(t -> names.contains(t.name)).toList();
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        Optional<PreviewState> state = state(sandbox, preview);
        if (state.isEmpty()) {
            return List.of();
        }
        List<TokenState> tokens = state.get().tokens;
        List<PreviewToken> listed = new ArrayList<>(tokens.size());
        for (int i = tokens.size() - 1; i >= 0; i--) {
            TokenState t = tokens.get(i);
            listed.add(t.toToken(TokenValue.of(derive(sandbox, preview, t.name, t.nonce))));
        }
        return listed;
    }

    @Override
    public Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        Objects.requireNonNull(name, "name must not be null");
        long end;
        Optional<TokenState> token;
        synchronized (lock) {
            Optional<PreviewState> state = state(sandbox, preview);
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
            end = persist(s.preview, s.seq, remaining);
            s.tokens = List.copyOf(remaining);
            index.remove(token.get().key);
        }
        sync(end, "preview " + preview + " of sandbox " + sandbox + " could not be saved");
        return Optional.of(token.get().toToken(TokenValue.of(derive(sandbox, preview, name, token.get().nonce))));
    }

    @Override
    public Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now) {
        if (sandbox == null || preview == null || presented == null || now == null || !wellFormed(presented)) {
            return Optional.empty();
        }
        TokenState token = index.get(DigestKey.of(presented));
        if (token == null) {
            return Optional.empty();
        }
        PreviewState owner = token.owner;
        Preview p = owner.preview;
        if (owner.removed || !p.sandbox().equals(sandbox) || !p.name().equals(preview)) {
            return Optional.empty();
        }
        if (!token.tokenValue.matches(presented)) { // MessageDigest.isEqual, constant time
            return Optional.empty();
        }
        if (token.isExpiredAt(now) || p.isExpiredAt(now)) {
            return Optional.empty();
        }
        return Optional.of(token.toToken());
    }

    /** How many tokens are held (for tests and benchmarks). */
    int tokenCount() {
        return index.size();
    }

    // ------------------------------------------------------------------ derivation

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    private byte[] mac(SandboxName sandbox, PreviewName preview, TokenName name, byte[] nonce) {
        Mac mac = macs.get();
        mac.update((sandbox.value() + "|" + preview.value() + "|" + name.value() + "|")
                .getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(nonce);
    }

    private String derive(SandboxName sandbox, PreviewName preview, TokenName name, byte[] nonce) {
        return PREFIX + B64.encodeToString(mac(sandbox, preview, name, nonce));
    }

    /** {@code bxp_} and 43 base64url characters; checked before anything else, in time independent of secrets. */
    private static boolean wellFormed(String presented) {
        if (presented.length() != VALUE_CHARS || !presented.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < VALUE_CHARS; i++) {
            char c = presented.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        // 43 characters carry 258 bits; the last one may only use the values that leave the 2 spare bits zero.
        return (decodeChar(presented.charAt(VALUE_CHARS - 1)) & 0b11) == 0;
    }

    private static int decodeChar(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    // ------------------------------------------------------------------ state

    private Optional<PreviewState> state(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Map<PreviewName, PreviewState> ofSandbox = previews.get(sandbox);
        return ofSandbox == null ? Optional.empty() : Optional.ofNullable(ofSandbox.get(name));
    }

    private void forget(PreviewState state) {
        state.removed = true;
        for (TokenState t : state.tokens) {
            index.remove(t.key);
        }
    }

    /** Appends the preview's new record to the journal (under the lock); returns where it ends, for {@link #sync}. */
    private long persist(Preview preview, long seq, List<TokenState> tokens) {
        return append(JournalEntry.put(record(preview, seq, tokens)), "preview " + preview.name() + " of sandbox "
                + preview.sandbox() + " could not be saved");
    }

    private static PreviewRecord record(Preview preview, long seq, List<TokenState> tokens) {
        List<TokenRecord> records = new ArrayList<>(tokens.size());
        for (TokenState t : tokens) {
            TokenRecord r = new TokenRecord();
            r.name = t.name.value();
            r.nonce = B64.encodeToString(t.nonce);
            r.expiresAt = t.expiresAt;
            r.seq = t.seq;
            records.add(r);
        }
        return PreviewRecord.of(preview, seq, records);
    }

    /** Under the lock: one journal line, then compaction if the journal has grown enough. */
    private long append(JournalEntry entry, String failure) {
        try {
            long end = journal.append(entry);
            if (journal.wantsCompaction()) {
                compact();
                return 0; // the compacted journal is on the disk already
            }
            return end;
        } catch (IOException e) {
            throw unavailable(failure, e);
        }
    }

    /** Outside the lock: returns once the journal holds the change on the disk (group commit). */
    private void sync(long end, String failure) {
        try {
            journal.sync(end);
        } catch (IOException e) {
            throw unavailable(failure, e);
        }
    }

    /** Rewrites the journal as one line per live preview (under the lock). */
    private void compact() throws IOException {
        List<JournalEntry> entries = new ArrayList<>();
        for (Map<PreviewName, PreviewState> ofSandbox : previews.values()) {
            for (PreviewState s : ofSandbox.values()) {
                entries.add(JournalEntry.put(record(s.preview, s.seq, s.tokens)));
            }
        }
        journal.compact(entries);
    }

    /** For tests: the disk stops taking the journal's lines. */
    void breakJournalForTest() throws IOException {
        journal.breakForTest();
    }

    /**
     * Loads the records of an older layout (one file per preview), then replays the journal over them, then writes
     * the journal anew (which drops a torn last line) and removes the older files.
     */
    private void load() {
        long[] maxSeq = {0};
        List<Path> legacy = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> sandboxes = Files.newDirectoryStream(dir)) {
                for (Path sandboxDir : sandboxes) {
                    if (!Files.isDirectory(sandboxDir, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    legacy.add(sandboxDir);
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(sandboxDir, "*" + SUFFIX)) {
                        for (Path file : files) {
                            if (file.getFileName().toString().startsWith(".")) {
                                continue; // a temporary file left by a crash
                            }
                            try {
                                PreviewRecord record = LocalJson.decode(PreviewRecord.class, Files.readAllBytes(file),
                                        "preview record " + file.getFileName());
                                maxSeq[0] = Math.max(maxSeq[0], loadPreview(record, "preview record "
                                        + file.getFileName()));
                            } catch (IOException e) {
                                // Fails closed: the preview and its tokens are unusable until the file is repaired.
                                LOG.error("ignoring a preview of sandbox {}: {}", sandboxDir.getFileName(),
                                        e.getMessage());
                            }
                        }
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
            synchronized (lock) {
                compact();
            }
            for (Path old : legacy) {
                AtomicFiles.deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the access store could not be read", e);
        }
        sequence.set(maxSeq[0]);
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
                state(SandboxName.of(entry.sandbox), PreviewName.of(entry.name)).ifPresent(st -> {
                    forget(st);
                    previews.get(st.preview.sandbox()).remove(st.preview.name());
                });
                return 0;
            }
            case "drop" -> {
                Map<PreviewName, PreviewState> ofSandbox = previews.remove(SandboxName.of(entry.sandbox));
                if (ofSandbox != null) {
                    ofSandbox.values().forEach(this::forget);
                }
                return 0;
            }
            default -> throw new IOException("unknown journal operation '" + entry.op + "'");
        }
    }

    /** Puts a preview's record in memory, replacing an earlier one of that preview; returns its highest sequence. */
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
                byte[] nonce = B64D.decode(Objects.requireNonNull(r.nonce, "nonce"));
                TokenValue value = TokenValue.of(derive(preview.sandbox(), preview.name(), name, nonce));
                tokens.add(new TokenState(state, name, nonce, value, Objects.requireNonNull(r.expiresAt,
                        "expiresAt"), r.seq));
                maxSeq = Math.max(maxSeq, r.seq);
            } catch (RuntimeException e) {
                throw new IOException("a token of " + what + " is invalid", e);
            }
        }
        tokens.sort(Comparator.comparingLong(t -> t.seq));
        state.tokens = List.copyOf(tokens);
        PreviewState earlier = previews.computeIfAbsent(preview.sandbox(), s -> new ConcurrentHashMap<>())
                .put(preview.name(), state);
        if (earlier != null) {
            forget(earlier); // a later line of the journal about the same preview
        }
        tokens.forEach(t -> index.put(t.key, t));
        return maxSeq;
    }

    private static SandgateException.Unavailable unavailable(String message, IOException e) {
        LOG.warn("{}: {}", message, e.toString());
        return new SandgateException.Unavailable(message, e);
    }

    // ------------------------------------------------------------------ the key

    /**
     * Reads the key file, or creates it with {@value #KEY_BYTES} random bytes, owner-only ({@code 0600}), atomically
     * (so two processes starting together agree on one key). Public so that another store of the same cluster
     * (Redis) derives its tokens from the same key file.
     */
    public static byte[] loadOrCreateKey(Path keyFile, boolean durable) {
        Path file = keyFile.toAbsolutePath().normalize();
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] fresh = new byte[KEY_BYTES];
                new SecureRandom().nextBytes(fresh);
                Path temp = Files.createTempFile(file.getParent(), ".secret.", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.write(temp, fresh, StandardOpenOption.WRITE);
                    if (durable) {
                        try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                            channel.force(true);
                        }
                    }
                    try {
                        // A link, not a rename: it fails if another process created the key meanwhile.
                        Files.createLink(file, temp);
                        LOG.info("created a new token key; keep it with the data directory, or tokens stop working");
                    } catch (FileAlreadyExistsException raced) {
                        // the other process's key wins
                    }
                } finally {
                    Files.deleteIfExists(temp);
                }
                if (durable) {
                    AtomicFiles.syncDirectory(file.getParent());
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < KEY_BYTES) {
                throw new IllegalStateException("the token key file holds " + key.length + " bytes; it needs at least "
                        + KEY_BYTES);
            }
            return key;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("the token key file could not be created", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the token key file could not be read or created", e);
        }
    }

    // ------------------------------------------------------------------ records in memory

    private static final class PreviewState {
        volatile Preview preview;
        final long seq;
        /** Oldest first; replaced whole under the lock. */
        volatile List<TokenState> tokens = List.of();
        volatile boolean removed;

        PreviewState(Preview preview, long seq) {
            this.preview = preview;
            this.seq = seq;
        }
    }

    /**
     * A live token in memory. Its derived value is kept here (memory is not the data directory), so that verifying
     * costs a hash, a lookup and one constant-time comparison, and no HMAC.
     */
    private static final class TokenState {
        final PreviewState owner;
        final TokenName name;
        final byte[] nonce;
        /** The derived value. */
        final TokenValue tokenValue;
        final Instant expiresAt;
        final long seq;
        final DigestKey key;

        TokenState(PreviewState owner, TokenName name, byte[] nonce, TokenValue value, Instant expiresAt, long seq) {
            this.owner = owner;
            this.name = name;
            this.nonce = nonce;
            this.tokenValue = value;
            this.expiresAt = expiresAt;
            this.seq = seq;
            this.key = DigestKey.of(value.value());
        }

        boolean isExpiredAt(Instant now) {
            return !expiresAt.isAfter(now);
        }

        PreviewToken toToken() {
            Preview p = owner.preview;
            return new PreviewToken(name, p.sandbox(), p.name(), tokenValue, expiresAt);
        }

        PreviewToken toToken(TokenValue derivedAgain) {
            Preview p = owner.preview;
            return new PreviewToken(name, p.sandbox(), p.name(), derivedAgain, expiresAt);
        }
    }

    /** The first 128 bits of SHA-256 of a token value: the index key, so that lookups compare only hashes. */
    private record DigestKey(long high, long low) {
        static DigestKey of(String value) {
            MessageDigest sha = SHA256.get();
            byte[] d = sha.digest(value.getBytes(StandardCharsets.US_ASCII));
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (d[i] & 0xff);
                low = (low << 8) | (d[i + 8] & 0xff);
            }
            return new DigestKey(high, low);
        }
    }
}
