package dev.sandgate.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options for a new session: its expiry (default now + 24 h) and the headers of its preview. Build one by name, so
 * that the two header sets cannot be swapped:
 *
 * <pre>{@code
 * SessionOptions options = SessionOptions.builder()
 *     .expiresAt(now.plus(Duration.ofHours(1)))
 *     .responseHeader("Access-Control-Allow-Origin", "https://app.example")
 *     .build();
 * }</pre>
 *
 * @param expiresAt       when the session and its token expire; empty: 24 hours after it is created
 * @param responseHeaders added to every answer of the session URL (CORS headers, typically)
 * @param requestHeaders  added to every request the session URL forwards to the sandbox
 * @param policy          what the session may do (Sandgate's own): {@link SessionPolicy#DEFAULT}, full scopes, unless
 *                        set, e.g. {@code .scopes(SessionScopes.of(Operation.FS_READ).withPaths("/app"))}
 */
public record SessionOptions(Optional<Instant> expiresAt, HttpHeaders responseHeaders, HttpHeaders requestHeaders,
                             SessionPolicy policy) {
    public static final SessionOptions DEFAULTS = new SessionOptions(Optional.empty(), HttpHeaders.NONE, HttpHeaders.NONE,
            SessionPolicy.DEFAULT);

    public SessionOptions {
        Objects.requireNonNull(policy, "policy must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(responseHeaders, "responseHeaders must not be null");
        Objects.requireNonNull(requestHeaders, "requestHeaders must not be null");
    }

    /** Options with full scopes ({@link SessionPolicy#DEFAULT}). */
    public SessionOptions(Optional<Instant> expiresAt, HttpHeaders responseHeaders, HttpHeaders requestHeaders) {
        this(expiresAt, responseHeaders, requestHeaders, SessionPolicy.DEFAULT);
    }

    /** The defaults with an expiry: {@code builder().expiresAt(expiresAt).build()}. */
    public static SessionOptions expiringAt(Instant expiresAt) {
        return builder().expiresAt(expiresAt).build();
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link SessionOptions} by name. Not thread-safe. */
    public static final class Builder {
        private Optional<Instant> expiresAt;
        private HttpHeaders responseHeaders;
        private HttpHeaders requestHeaders;
        private SessionPolicy policy;

        private Builder(SessionOptions from) {
            this.policy = from.policy;
            this.expiresAt = from.expiresAt;
            this.responseHeaders = from.responseHeaders;
            this.requestHeaders = from.requestHeaders;
        }

        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Optional.of(Objects.requireNonNull(expiresAt, "expiresAt must not be null"));
            return this;
        }

        public Builder responseHeaders(HttpHeaders headers) {
            this.responseHeaders = Objects.requireNonNull(headers, "responseHeaders must not be null");
            return this;
        }

        /** {@link #responseHeaders(HttpHeaders)} from a map, validated as {@link HttpHeaders} are. */
        public Builder responseHeaders(Map<String, String> headers) {
            return responseHeaders(HttpHeaders.of(headers));
        }

        /** Adds one response header (replacing one of the same name, ignoring case). */
        public Builder responseHeader(String name, String value) {
            return responseHeaders(HttpHeaders.of(with(responseHeaders, name, value)));
        }

        public Builder requestHeaders(HttpHeaders headers) {
            this.requestHeaders = Objects.requireNonNull(headers, "requestHeaders must not be null");
            return this;
        }

        /** {@link #requestHeaders(HttpHeaders)} from a map, validated as {@link HttpHeaders} are. */
        public Builder requestHeaders(Map<String, String> headers) {
            return requestHeaders(HttpHeaders.of(headers));
        }

        /** Adds one request header (replacing one of the same name, ignoring case). */
        public Builder requestHeader(String name, String value) {
            return requestHeaders(HttpHeaders.of(with(requestHeaders, name, value)));
        }

        /** The scopes of the session (default: {@link SessionScopes#full()}). */
        public Builder scopes(SessionScopes scopes) {
            this.policy = policy.toBuilder().scopes(scopes).build();
            return this;
        }

        /** The end user the session is for (audit trail, revoke-all by subject). */
        public Builder subject(String subject) {
            this.policy = policy.toBuilder().subject(subject).build();
            return this;
        }

        /** The web origins allowed to use the session from a browser (default: any). */
        public Builder origins(String... origins) {
            this.policy = policy.toBuilder().origins(origins).build();
            return this;
        }

        /** The session's own limits (default: the broker's). */
        public Builder quotas(SessionQuotas quotas) {
            this.policy = policy.toBuilder().quotas(quotas).build();
            return this;
        }

        /** The latest expiry a renewal in place may give the session (default: not renewable in place). */
        public Builder maxExpiresAt(Instant maxExpiresAt) {
            this.policy = policy.toBuilder().maxExpiresAt(maxExpiresAt).build();
            return this;
        }

        public Builder policy(SessionPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy must not be null");
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(expiresAt, responseHeaders, requestHeaders, policy);
        }

        private static Map<String, String> with(HttpHeaders headers, String name, String value) {
            Objects.requireNonNull(name, "header name must not be null");
            Objects.requireNonNull(value, "value of header " + name + " must not be null");
            var copy = new java.util.LinkedHashMap<String, String>();
            headers.values().forEach((k, v) -> {
                if (!k.equalsIgnoreCase(name)) {
                    copy.put(k, v);
                }
            });
            copy.put(name, value);
            return copy;
        }
    }
}
