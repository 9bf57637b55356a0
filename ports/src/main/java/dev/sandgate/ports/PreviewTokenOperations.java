package dev.sandgate.ports;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.time.Instant;
import java.util.List;

/** The preview-token part of {@link SandboxGateway}. Unknown sandboxes and previews give {@code NotFound}. */
public interface PreviewTokenOperations {
    /**
     * Mints a token for a preview. {@code Conflict} when the preview already has a token with that name; an
     * {@code expiresAt} in the past is accepted and yields a token that is already expired.
     *
     * <p>A preview keeps at most {@link PreviewToken#MAX_PER_PREVIEW} tokens (security rule R8): minting one more
     * deletes the tokens already expired at the gateway's now, oldest first, and then the oldest live ones, as
     * {@link PreviewToken#evictedToMakeRoom} says. An evicted token no longer opens anything, as if deleted.
     */
    PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt);

    /** The preview's tokens, newest first, with their values (the API-key holder may read them again). */
    List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview);

    /** Revokes a token, returning it as it was; {@code NotFound} when it does not exist. */
    PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name);
}
