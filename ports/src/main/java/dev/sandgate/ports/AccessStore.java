package dev.sandgate.ports;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
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

    /** Removes every preview and token of a sandbox. */
    void removeSandbox(SandboxName sandbox);

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
