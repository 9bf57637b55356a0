package dev.sandgate.ports;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The previews part of {@link SandboxGateway}. Unknown sandboxes give {@code NotFound}. */
public interface PreviewOperations {
    /** Creates a preview; {@code Conflict} when the sandbox already has one with that name. */
    Preview createPreview(SandboxName sandbox, PreviewSpec spec);

    Optional<Preview> findPreview(SandboxName sandbox, PreviewName name);

    /** The sandbox's previews, oldest first. */
    List<Preview> listPreviews(SandboxName sandbox);

    /**
     * Replaces an existing preview's settings; {@code NotFound} otherwise. Its tokens stay, and so does its URL
     * between application ports; a gateway may give it another URL when it moves to or from the sandbox API (443),
     * which is served elsewhere.
     */
    Preview updatePreview(SandboxName sandbox, PreviewSpec spec);

    /** Deletes a preview and all its tokens, returning it as it was; {@code NotFound} when it does not exist. */
    Preview deletePreview(SandboxName sandbox, PreviewName name);

    /**
     * Revoke-all (Sandgate's own): every session of the sandbox (a preview of the sandbox API) issued up to the
     * gateway's now, or only those carrying {@code subject}, stops working at once, open streams and tunnels
     * included; returns how many there were. Sessions minted afterwards work. A gateway that keeps its own access
     * records does it as one change of its store ({@link AccessStore#revokeSessions}), which also refuses a session
     * whose creation raced the call. {@code NotFound} for an unknown sandbox.
     */
    int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject);

    /**
     * Renewal in place (Sandgate's own): moves a live session's expiry, and its token's, towards {@code expiresAt},
     * clamped to the session's {@code maxExpiresAt} and never backwards ({@link Preview#renewedExpiry}); its token
     * value stays the same and what is open on it stays open. Returns the renewed preview. {@code NotFound} for an
     * unknown or expired session; {@code InvalidRequest} (UNPROCESSABLE) for one minted without a
     * {@code maxExpiresAt}.
     */
    Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt);
}
