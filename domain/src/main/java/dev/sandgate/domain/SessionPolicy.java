package dev.sandgate.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sandgate's own terms of a session, beyond the wire protocol's preview and token. The record the stores and the
 * wire extension ({@code sandgate} on a preview body) carry as one. {@link #DEFAULT} is what a preview without any
 * has, and what {@code sessions.create} mints: full scopes, no subject, any origin, the broker's default quotas, no
 * renewal in place.
 *
 * @param scopes       what the session may do
 * @param subject      the end user it is for, if the backend named one (audit trail, revoke-all)
 * @param origins      the web origins allowed to use it from a browser; empty: any
 * @param quotas       its own limits; absent ones are the broker's defaults
 * @param maxExpiresAt the latest instant a renewal in place may move its expiry to; absent: not renewable in place
 */
public record SessionPolicy(SessionScopes scopes, Optional<SessionSubject> subject, List<WebOrigin> origins,
                            SessionQuotas quotas, Optional<Instant> maxExpiresAt) {
    /** The most origins one session may list. */
    public static final int MAX_ORIGINS = 32;
    public static final SessionPolicy DEFAULT = new SessionPolicy(SessionScopes.full(), Optional.empty(), List.of(),
            SessionQuotas.DEFAULTS, Optional.empty());

    public SessionPolicy {
        Objects.requireNonNull(scopes, "scopes must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(quotas, "quotas must not be null");
        Objects.requireNonNull(maxExpiresAt, "maxExpiresAt must not be null");
        origins = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(origins, "origins must not be null")));
        if (origins.size() > MAX_ORIGINS) {
            throw new IllegalArgumentException("a session may list at most " + MAX_ORIGINS + " origins");
        }
    }

    /** The default policy with these scopes. */
    public static SessionPolicy of(SessionScopes scopes) {
        return builder().scopes(scopes).build();
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether this is {@link #DEFAULT} (stores and the wire then write nothing). */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** Whether a browser page of {@code originHeader} may use the session: any may when none is listed. */
    public boolean allowsOrigin(Optional<String> originHeader) {
        return origins.isEmpty() || originHeader.map(o -> origins.stream().anyMatch(w -> w.matches(o))).orElse(false);
    }

    /** Builds a {@link SessionPolicy}; every setter validates what it is given. */
    public static final class Builder {
        private SessionScopes scopes;
        private Optional<SessionSubject> subject;
        private final List<WebOrigin> origins;
        private SessionQuotas quotas;
        private Optional<Instant> maxExpiresAt;

        private Builder(SessionPolicy from) {
            scopes = from.scopes;
            subject = from.subject;
            origins = new ArrayList<>(from.origins);
            quotas = from.quotas;
            maxExpiresAt = from.maxExpiresAt;
        }

        public Builder scopes(SessionScopes scopes) {
            this.scopes = Objects.requireNonNull(scopes, "scopes must not be null");
            return this;
        }

        public Builder subject(SessionSubject subject) {
            this.subject = Optional.of(Objects.requireNonNull(subject, "subject must not be null"));
            return this;
        }

        public Builder subject(String subject) {
            return subject(SessionSubject.of(subject));
        }

        public Builder subject(Optional<SessionSubject> subject) {
            this.subject = Objects.requireNonNull(subject, "subject must not be null");
            return this;
        }

        /** Replaces the allowed origins ({@code https://app.example.com}...); none: any origin. */
        public Builder origins(Collection<WebOrigin> origins) {
            this.origins.clear();
            this.origins.addAll(Objects.requireNonNull(origins, "origins must not be null"));
            return this;
        }

        /** Replaces the allowed origins, each parsed with {@link WebOrigin#of}. */
        public Builder origins(String... origins) {
            return origins(List.of(origins).stream().map(WebOrigin::of).toList());
        }

        public Builder quotas(SessionQuotas quotas) {
            this.quotas = Objects.requireNonNull(quotas, "quotas must not be null");
            return this;
        }

        public Builder maxExpiresAt(Instant maxExpiresAt) {
            this.maxExpiresAt = Optional.of(Objects.requireNonNull(maxExpiresAt, "maxExpiresAt must not be null"));
            return this;
        }

        public Builder maxExpiresAt(Optional<Instant> maxExpiresAt) {
            this.maxExpiresAt = Objects.requireNonNull(maxExpiresAt, "maxExpiresAt must not be null");
            return this;
        }

        public SessionPolicy build() {
            return new SessionPolicy(scopes, subject, origins, quotas, maxExpiresAt);
        }
    }
}
