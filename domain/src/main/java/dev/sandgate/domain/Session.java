package dev.sandgate.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a backend hands a browser: the name of the session preview, the URL of the sandbox API behind it, the token
 * that opens it, and when it expires. The token never appears in {@link #toString()}.
 */
public record Session(PreviewName name, String url, TokenValue token, Instant expiresAt) {
    /** The renewal delta the wire protocol uses when none is given: one hour. */
    public static final Duration DEFAULT_RENEWAL_DELTA = Duration.ofHours(1);
    /** The lifetime of a session created without an explicit expiry: 24 hours. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

    public Session {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(token, "token must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        if (url.isBlank() || url.endsWith("/")) {
            throw new IllegalArgumentException("session url '" + url + "' must be absolute and not end with '/'");
        }
    }

    /** Expired once {@code expiresAt} is at or before {@code now}. */
    public boolean isExpiredAt(Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        return !expiresAt.isAfter(now);
    }

    /** Must be renewed when it expires strictly before {@code now + delta} (the SDK's {@code createIfExpired} rule). */
    public boolean needsRenewal(Instant now, Duration delta) {
        Objects.requireNonNull(now, "now must not be null");
        Objects.requireNonNull(delta, "delta must not be null");
        if (delta.isNegative()) {
            throw new IllegalArgumentException("renewal delta " + delta + " must not be negative");
        }
        return expiresAt.isBefore(now.plus(delta));
    }

    @Override
    public String toString() {
        return "Session[name=" + name + ", url=" + url + ", expiresAt=" + expiresAt + "]";
    }
}
