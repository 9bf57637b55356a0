package dev.sandgate.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A token that opens one private preview of one sandbox until {@code expiresAt}. Its secret never appears in
 * {@link #toString()}.
 */
public record PreviewToken(TokenName name, SandboxName sandbox, PreviewName preview, TokenValue value,
                           Instant expiresAt) {
    /**
     * The most tokens one preview of one sandbox keeps (security rule R8): minting one more first evicts one, as
     * {@link #evictedToMakeRoom} decides.
     */
    public static final int MAX_PER_PREVIEW = 10;

    public PreviewToken {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(value, "value must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
    }

    /** Expired once {@code expiresAt} is at or before {@code now}. */
    public boolean isExpiredAt(Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        return !expiresAt.isAfter(now);
    }

    /**
     * The tokens a preview must drop so that one more, minted at {@code now}, leaves it at most
     * {@link #MAX_PER_PREVIEW}: first the ones already expired at {@code now}, oldest first, then the oldest live
     * ones. So tokens that have run out make room before any live one goes, and a live token is evicted only when
     * the preview holds ten live ones. Usually one token or none; more only for a preview that holds more than the
     * cap already (records written before the cap existed).
     *
     * @param oldestFirst the tokens of one preview, in the order they were minted, oldest first
     * @return the tokens to evict, in eviction order; empty while there is room
     * @throws IllegalArgumentException when the tokens belong to more than one preview
     */
    public static List<PreviewToken> evictedToMakeRoom(List<PreviewToken> oldestFirst, Instant now) {
        Objects.requireNonNull(oldestFirst, "tokens must not be null");
        Objects.requireNonNull(now, "now must not be null");
        List<PreviewToken> tokens = List.copyOf(oldestFirst);
        if (!tokens.isEmpty()) {
            PreviewToken first = tokens.get(0);
            for (PreviewToken t : tokens) {
                if (!t.sandbox.equals(first.sandbox) || !t.preview.equals(first.preview)) {
                    throw new IllegalArgumentException("token " + t.name + " of preview " + t.preview + " in sandbox "
                            + t.sandbox + " is not a token of preview " + first.preview + " in sandbox "
                            + first.sandbox);
                }
            }
        }
        int excess = tokens.size() - (MAX_PER_PREVIEW - 1);
        if (excess <= 0) {
            return List.of();
        }
        List<PreviewToken> order = new ArrayList<>(tokens.size());
        for (PreviewToken t : tokens) {
            if (t.isExpiredAt(now)) {
                order.add(t);
            }
        }
        for (PreviewToken t : tokens) {
            if (!t.isExpiredAt(now)) {
                order.add(t);
            }
        }
        return List.copyOf(order.subList(0, excess));
    }

    /**
     * Whether this token expires with its session, whose expiry was {@code sessionExpires}: its own expiry is at or
     * after the session's (so the session's ended it), and a renewal in place moves it along.
     */
    public boolean expiresWith(Optional<Instant> sessionExpires) {
        Objects.requireNonNull(sessionExpires, "sessionExpires must not be null");
        return sessionExpires.map(e -> !expiresAt.isBefore(e)).orElse(false);
    }

    /** This token with another expiry (its value unchanged). */
    public PreviewToken withExpiresAt(Instant expiresAt) {
        return new PreviewToken(name, sandbox, preview, value, expiresAt);
    }

    @Override
    public String toString() {
        return "PreviewToken[name=" + name + ", sandbox=" + sandbox + ", preview=" + preview + ", expiresAt="
                + expiresAt + "]";
    }
}
