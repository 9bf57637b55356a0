package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A token that opens one private preview of one sandbox until {@code expiresAt}. Its secret never appears in
 * {@link #toString()}.
 */
public record PreviewToken(TokenName name, SandboxName sandbox, PreviewName preview, TokenValue value,
                           Instant expiresAt) {
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

    @Override
    public String toString() {
        return "PreviewToken[name=" + name + ", sandbox=" + sandbox + ", preview=" + preview + ", expiresAt="
                + expiresAt + "]";
    }
}
