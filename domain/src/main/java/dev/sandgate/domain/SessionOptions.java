package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Options for a new session: its expiry (default now + 24 h) and the headers of its preview. */
public record SessionOptions(Optional<Instant> expiresAt, HttpHeaders responseHeaders, HttpHeaders requestHeaders) {
    public static final SessionOptions DEFAULTS = new SessionOptions(Optional.empty(), HttpHeaders.NONE, HttpHeaders.NONE);

    public SessionOptions {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(responseHeaders, "responseHeaders must not be null");
        Objects.requireNonNull(requestHeaders, "requestHeaders must not be null");
    }

    public static SessionOptions expiringAt(Instant expiresAt) {
        return new SessionOptions(Optional.of(expiresAt), HttpHeaders.NONE, HttpHeaders.NONE);
    }

    public SessionOptions withResponseHeaders(HttpHeaders headers) {
        return new SessionOptions(expiresAt, headers, requestHeaders);
    }

    public SessionOptions withRequestHeaders(HttpHeaders headers) {
        return new SessionOptions(expiresAt, responseHeaders, headers);
    }
}
