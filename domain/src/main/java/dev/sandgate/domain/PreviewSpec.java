package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller asks for when creating a preview: a name, a port (443 = the sandbox API itself), whether it is
 * public, headers added to responses (CORS) and to forwarded requests, an optional expiry, and (Sandgate's own, for
 * a session's preview) the {@link SessionPolicy} its tokens are held to: {@link SessionPolicy#DEFAULT} unless set.
 */
public record PreviewSpec(PreviewName name, Port port, boolean isPublic, HttpHeaders responseHeaders,
                          HttpHeaders requestHeaders, Optional<Instant> expires, SessionPolicy policy) {
    public PreviewSpec {
        Objects.requireNonNull(policy, "policy must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(port, "port must not be null");
        Objects.requireNonNull(responseHeaders, "responseHeaders must not be null");
        Objects.requireNonNull(requestHeaders, "requestHeaders must not be null");
        Objects.requireNonNull(expires, "expires must not be null");
        policy.maxExpiresAt().ifPresent(max -> expires.ifPresent(e -> {
            if (max.isBefore(e)) {
                throw new IllegalArgumentException("maxExpiresAt (" + max + ") must not be before the session's "
                        + "expiry (" + e + "): it bounds how far a renewal in place may move it");
            }
        }));
    }

    /** A preview with the {@link SessionPolicy#DEFAULT} policy (what the wire protocol knows of). */
    public PreviewSpec(PreviewName name, Port port, boolean isPublic, HttpHeaders responseHeaders,
                       HttpHeaders requestHeaders, Optional<Instant> expires) {
        this(name, port, isPublic, responseHeaders, requestHeaders, expires, SessionPolicy.DEFAULT);
    }

    public static PreviewSpec publicPort(PreviewName name, Port port) {
        return new PreviewSpec(name, port, true, HttpHeaders.NONE, HttpHeaders.NONE, Optional.empty());
    }

    public static PreviewSpec privatePort(PreviewName name, Port port) {
        return new PreviewSpec(name, port, false, HttpHeaders.NONE, HttpHeaders.NONE, Optional.empty());
    }

    /** {@link #publicPort(PreviewName, Port)} with the name as a string and the port as a number. */
    public static PreviewSpec publicPort(String name, int port) {
        return publicPort(PreviewName.of(Objects.requireNonNull(name, "name must not be null")), Port.of(port));
    }

    /** {@link #privatePort(PreviewName, Port)} with the name as a string and the port as a number. */
    public static PreviewSpec privatePort(String name, int port) {
        return privatePort(PreviewName.of(Objects.requireNonNull(name, "name must not be null")), Port.of(port));
    }

    public PreviewSpec withResponseHeaders(HttpHeaders headers) {
        return new PreviewSpec(name, port, isPublic, headers, requestHeaders, expires, policy);
    }

    public PreviewSpec withRequestHeaders(HttpHeaders headers) {
        return new PreviewSpec(name, port, isPublic, responseHeaders, headers, expires, policy);
    }

    public PreviewSpec withExpires(Instant expires) {
        return new PreviewSpec(name, port, isPublic, responseHeaders, requestHeaders, Optional.of(expires), policy);
    }

    public PreviewSpec withPolicy(SessionPolicy policy) {
        return new PreviewSpec(name, port, isPublic, responseHeaders, requestHeaders, expires, policy);
    }

    /** Whether the preview designates the sandbox API (port 443) rather than a port inside the sandbox. */
    public boolean isSandboxApi() {
        return port.equals(Port.SANDBOX_API);
    }
}
