package dev.sandgate.ports;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The broker's own record of previews and preview tokens ("access belongs to the broker"). Narrow on purpose, so a
 * shared store can replace the embedded one. Implementations mint token secrets themselves (at least 128 bits from
 * {@code SecureRandom}, URL-safe), compare them in constant time, and must not let a copy of their records yield a
 * usable token.
 */
public interface AccessStore {
    /** Records a new preview; {@code Conflict} when the sandbox already has one with that name. */
    Preview insertPreview(Preview preview);

    /** Replaces an existing preview's record; {@code NotFound} when there is none. Its tokens stay. */
    Preview replacePreview(Preview preview);

    Optional<Preview> findPreview(SandboxName sandbox, PreviewName name);

    /** A sandbox's previews, oldest first. */
    List<Preview> listPreviews(SandboxName sandbox);

    /** Removes a preview and its tokens, returning it; empty when there was none. */
    Optional<Preview> removePreview(SandboxName sandbox, PreviewName name);

    /** Removes every preview and token of a sandbox, and its {@link #revokeSessions revocations}. */
    void removeSandbox(SandboxName sandbox);

    /**
     * Revoke-all: removes, with their tokens, every session of the sandbox (a preview of the sandbox API, port 443)
     * created at or before {@code issuedUpTo} and, when {@code subject} is given, carrying that subject; returns how
     * many. Sessions created later, other subjects' sessions and application previews are untouched.
     *
     * <p><b>No session issued before survives.</b> The removal and the record of the revocation are one change: from
     * then on the store refuses ({@code Conflict}) to {@link #insertPreview insert} or {@link #replacePreview
     * replace into} a session that the revocation covers (created at or before {@code issuedUpTo}, of that subject),
     * so a session whose creation raced the revocation (read its clock before, reached the store after) never
     * appears. "Issued" is the preview's {@link Preview#createdAt()}, at the minting broker's clock. A later
     * revocation with an earlier instant never lowers the record. The record goes with {@link #removeSandbox}.
     */
    int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo);

    /**
     * Renewal in place: moves a session's expiry to {@code expiresAt}, its preview's {@code expires} and, with it, the
     * expiry of each of its tokens that expired with the session (a token whose {@code expiresAt} was at or after the
     * preview's old {@code expires}; one with an earlier expiry of its own keeps it), as one change; token values stay
     * the same. Returns the renewed preview; empty when there is no such preview, it is no session (port 443), or it
     * has expired at {@code now} (an expired session is gone). An {@code expiresAt} not after the current expiry
     * changes nothing. The caller has bounded {@code expiresAt} ({@link Preview#renewedExpiry}).
     */
    Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt, Instant now);

    /**
     * Mints a token for an existing preview; {@code NotFound} for an unknown preview, {@code Conflict} when the
     * name is taken.
     *
     * <p><b>Cap (security rule R8).</b> A preview keeps at most {@link PreviewToken#MAX_PER_PREVIEW} tokens. When it
     * already holds that many, minting first deletes the ones {@link PreviewToken#evictedToMakeRoom} names for
     * {@code now}: those already expired at {@code now}, oldest first, then the oldest live ones ("oldest" by the
     * order they were minted). An evicted token is gone as if removed: no longer listed, and {@link #verify} refuses
     * it. The evictions and the new token are one change; a store never keeps one without the other. Tokens of
     * other previews are never touched.
     *
     * @param now the caller's clock reading, which decides which tokens have expired (stores hold no clock)
     */
    PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt, Instant now);

    /** A preview's tokens, newest first; empty for an unknown preview. */
    List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview);

    /** Revokes a token, returning it; empty when there was none. */
    Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name);

    /**
     * The token of that preview whose secret equals {@code presented} and that is valid at {@code now} (token not
     * expired, preview exists and not expired); empty for anything else, including malformed input. Never throws
     * for bad input and takes the same path for unknown and foreign tokens.
     */
    Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now);
}
