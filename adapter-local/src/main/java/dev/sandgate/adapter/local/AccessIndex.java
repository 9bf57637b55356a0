package dev.sandgate.adapter.local;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionRevocations;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The access store's previews and tokens in memory: previews by sandbox and name, and live tokens by a digest of
 * their value, so that verification never touches the disk.
 *
 * <p><b>Verification.</b> The index maps SHA-256 of each live value (first 128 bits) to its token, so a presented
 * value is looked up by its hash: the attacker controls no comparison, and the derived value found (kept in memory
 * since the token was minted or loaded) is then compared with {@link MessageDigest#isEqual}. Unknown and foreign
 * tokens take the same path. A token is valid only for its own sandbox and preview, before its own and its
 * preview's expiry.
 *
 * <p>Changes are made under the store's lock; lookups read concurrent maps without it.
 */
final class AccessIndex {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    private final Map<SandboxName, Map<PreviewName, PreviewState>> previews = new ConcurrentHashMap<>();
    private final Map<DigestKey, TokenState> tokens = new ConcurrentHashMap<>();
    private final Map<SandboxName, SessionRevocations> revocations = new ConcurrentHashMap<>();

    /** A preview in memory, with its tokens. */
    static final class PreviewState {
        volatile Preview preview;
        final long seq;
        /** Oldest first; replaced whole under the store's lock. */
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
    static final class TokenState {
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
            return toToken(tokenValue);
        }

        PreviewToken toToken(TokenValue derivedAgain) {
            Preview p = owner.preview;
            return new PreviewToken(name, p.sandbox(), p.name(), derivedAgain, expiresAt);
        }
    }

    /** The first 128 bits of SHA-256 of a token value: the index key, so that lookups compare only hashes. */
    record DigestKey(long high, long low) {
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

    Optional<PreviewState> find(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Map<PreviewName, PreviewState> ofSandbox = previews.get(sandbox);
        return ofSandbox == null ? Optional.empty() : Optional.ofNullable(ofSandbox.get(name));
    }

    boolean holdsSandbox(SandboxName sandbox) {
        return previews.containsKey(sandbox) || revocations.containsKey(sandbox);
    }

    /** The revoke-all calls of a sandbox. */
    SessionRevocations revocations(SandboxName sandbox) {
        return revocations.getOrDefault(sandbox, SessionRevocations.NONE);
    }

    /** Every sandbox's revoke-all calls (for compaction). */
    Map<SandboxName, SessionRevocations> allRevocations() {
        return Map.copyOf(revocations);
    }

    /**
     * Records a revoke-all and removes the previews it covers; returns how many of them had not expired. Under the store's lock
     * (or while loading).
     */
    int revoke(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo) {
        revocations.merge(sandbox, SessionRevocations.NONE.with(subject, issuedUpTo),
                (current, added) -> current.with(subject, issuedUpTo));
        Map<PreviewName, PreviewState> ofSandbox = previews.get(sandbox);
        if (ofSandbox == null) {
            return 0;
        }
        List<PreviewState> covered = ofSandbox.values().stream()
                .filter(s -> SessionRevocations.covers(s.preview, subject, issuedUpTo)).toList();
        covered.forEach(this::remove);
        return (int) covered.stream().filter(s -> !s.preview.isExpiredAt(issuedUpTo)).count();
    }

    /** A sandbox's previews, oldest first. */
    List<Preview> previews(SandboxName sandbox) {
        Map<PreviewName, PreviewState> ofSandbox = previews.get(sandbox);
        if (ofSandbox == null) {
            return List.of();
        }
        return ofSandbox.values().stream().sorted(Comparator.comparingLong(s -> s.seq)).map(s -> s.preview).toList();
    }

    /** Every preview held, in no order (for compaction). */
    List<PreviewState> all() {
        List<PreviewState> all = new ArrayList<>();
        previews.values().forEach(ofSandbox -> all.addAll(ofSandbox.values()));
        return all;
    }

    /** Puts a preview with its tokens, replacing (and forgetting) an earlier state of the same preview. */
    void put(PreviewState state) {
        Preview preview = state.preview;
        PreviewState earlier = previews.computeIfAbsent(preview.sandbox(), s -> new ConcurrentHashMap<>())
                .put(preview.name(), state);
        if (earlier != null) {
            forget(earlier);
        }
        state.tokens.forEach(t -> tokens.put(t.key, t));
    }

    /** Removes a preview and its tokens. */
    void remove(PreviewState state) {
        forget(state);
        Map<PreviewName, PreviewState> ofSandbox = previews.get(state.preview.sandbox());
        if (ofSandbox != null) {
            ofSandbox.remove(state.preview.name());
        }
    }

    /** Removes every preview and token of a sandbox. */
    void removeSandbox(SandboxName sandbox) {
        revocations.remove(sandbox);
        Map<PreviewName, PreviewState> ofSandbox = previews.remove(sandbox);
        if (ofSandbox != null) {
            ofSandbox.values().forEach(this::forget);
        }
    }

    /** A preview's tokens become {@code held}; those of {@code gone} stop verifying. */
    void replaceTokens(PreviewState state, List<TokenState> held, Collection<TokenState> gone) {
        state.tokens = List.copyOf(held);
        gone.forEach(t -> tokens.remove(t.key));
        held.forEach(t -> tokens.put(t.key, t));
    }

    private void forget(PreviewState state) {
        state.removed = true;
        for (TokenState t : state.tokens) {
            tokens.remove(t.key);
        }
    }

    /** The tokens {@link PreviewToken#evictedToMakeRoom} names, among {@code held} (oldest first). */
    static List<TokenState> evictedToMakeRoom(List<TokenState> held, Instant now) {
        Set<TokenName> names = PreviewToken.evictedToMakeRoom(held.stream().map(TokenState::toToken).toList(), now)
                .stream().map(PreviewToken::name).collect(Collectors.toSet());
        return held.stream().filter(t -> names.contains(t.name)).toList();
    }

    /** The live token of that preview whose value is {@code presented} (already known to be well formed). */
    Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now) {
        TokenState token = tokens.get(DigestKey.of(presented));
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

    int tokenCount() {
        return tokens.size();
    }
}
