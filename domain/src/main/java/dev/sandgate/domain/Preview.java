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
}
