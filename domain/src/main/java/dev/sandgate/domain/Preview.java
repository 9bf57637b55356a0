package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A preview: an HTTP entry to one port of a sandbox ({@code 443} meaning the sandbox API itself), public or
 * token-protected, reached at {@code url} (absolute, no trailing slash).
 */
public record Preview(SandboxName sandbox, PreviewSpec spec, String url, Instant createdAt) {
    public Preview {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(spec, "spec must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        if (url.endsWith("/")) {
            throw new IllegalArgumentException("preview url '" + url + "' must not end with '/'");
        }
    }

    public PreviewName name() {
        return spec.name();
    }

    public Port port() {
        return spec.port();
    }

    public boolean isPublic() {
        return spec.isPublic();
    }

    public Optional<Instant> expires() {
        return spec.expires();
    }

    public boolean isSandboxApi() {
        return spec.isSandboxApi();
    }

    /** Expired once {@code expires} is at or before {@code now}; a preview without expiry never expires. */
    public boolean isExpiredAt(Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        return spec.expires().map(e -> !e.isAfter(now)).orElse(false);
    }

    /**
     * The expiry a renewal in place gives this session when {@code requested} at {@code now} (Sandgate's own): the
     * request clamped to the session's {@link SessionPolicy#maxExpiresAt()}, never earlier than its current expiry
     * (a renewal only moves it forward; a request short of it leaves it as it is).
     *
     * @throws SandgateException.NotFound       when this is no session (a preview of the sandbox API), or it has expired
     *                                          at {@code now}: an expired session is gone, and cannot come back
     * @throws SandgateException.InvalidRequest when {@code requested} is not after {@code now}, or (UNPROCESSABLE) the
     *                                          session was minted without a {@code maxExpiresAt}: not renewable in place
     */
    public Instant renewedExpiry(Instant requested, Instant now) {
        Objects.requireNonNull(requested, "requested must not be null");
        Objects.requireNonNull(now, "now must not be null");
        if (!isSandboxApi()) {
            throw new SandgateException.NotFound("preview " + name() + " of sandbox " + sandbox + " is no session");
        }
        if (isExpiredAt(now)) {
            throw new SandgateException.NotFound("session " + name() + " of sandbox " + sandbox + " has expired: an "
                    + "expired session cannot be renewed, mint a new one");
        }
        Instant max = spec.policy().maxExpiresAt().orElseThrow(() -> SandgateException.InvalidRequest.unprocessable(
                "session " + name() + " is not renewable in place: it was minted without maxExpiresAt"));
        if (!requested.isAfter(now)) {
            throw new SandgateException.InvalidRequest("expiresAt " + requested + " must be after now (" + now + ")");
        }
        Instant bounded = requested.isAfter(max) ? max : requested;
        Instant current = spec.expires().orElseThrow(() -> SandgateException.InvalidRequest.unprocessable(
                "session " + name() + " never expires: there is no expiry to move"));
        return bounded.isAfter(current) ? bounded : current;
    }
}
