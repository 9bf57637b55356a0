package dev.sandgate.domain;

import java.util.Objects;

/**
 * Sandgate's own terms of a session, beyond the wire protocol's preview and token: for now its {@link SessionScopes}.
 * The record the stores and the wire extension ({@code sandgate} on a preview body) carry as one, so that later terms
 * of the same session (an end-user subject, allowed origins, a maximum lifetime, quotas) sit beside the scopes.
 * {@link #DEFAULT} is what a preview without any has: full scopes.
 */
public record SessionPolicy(SessionScopes scopes) {
    public static final SessionPolicy DEFAULT = new SessionPolicy(SessionScopes.full());

    public SessionPolicy {
        Objects.requireNonNull(scopes, "scopes must not be null");
    }

    public static SessionPolicy of(SessionScopes scopes) {
        return new SessionPolicy(scopes);
    }

    /** Whether this is {@link #DEFAULT} (stores and the wire then write nothing). */
    public boolean isDefault() {
        return equals(DEFAULT);
    }
}
