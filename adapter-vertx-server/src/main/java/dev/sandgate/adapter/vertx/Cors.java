package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.WebOrigin;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The headers every answer on a session or preview URL carries: the wire protocol's CORS defaults overridden by the
 * preview's {@code responseHeaders} (names compared ignoring case), plus {@code Vary: Origin}. They go on every
 * answer the broker writes there, errors and streams included; a proxied application's own headers win over them.
 * {@code Access-Control-Allow-Credentials} is dropped whenever the answer's {@code Access-Control-Allow-Origin} is
 * {@code *}: browsers refuse that pair anyway, and the SDK sends no credentials. A session bound to origins reflects
 * only a listed one ({@link #headersFor(Preview, Optional)}).
 */
final class Cors {
    static final Map<String, String> DEFAULTS;
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("Access-Control-Allow-Origin", "*");
        d.put("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS, PATCH");
        d.put("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Blaxel-Preview-Token");
        d.put("Access-Control-Allow-Credentials", "true");
        d.put("Access-Control-Max-Age", "86400");
        d.put("Access-Control-Expose-Headers", "X-Blaxel-Source, X-Blaxel-Error-Code, X-Blaxel-Dispatch-State, Retry-After");
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private Cors() {
    }

    static Map<String, String> headersFor(HttpHeaders responseHeaders) {
        return responseHeaders.over(DEFAULTS);
    }

    /**
     * The headers of {@code preview}'s answers to a request from {@code origin} (its {@code Origin}, if any). For a
     * session bound to origins ({@link SessionPolicy#origins()}), {@code Access-Control-Allow-Origin} is the
     * request's origin when it is one of them, replacing any static value of {@code responseHeaders}, and
     * {@code Access-Control-Allow-Credentials} is kept as configured beside it; for any other origin, or none, both
     * are left out, so that no page but a listed one may read the answer.
     */
    static Map<String, String> headersFor(Preview preview, Optional<String> origin) {
        Map<String, String> headers = headersFor(preview.spec().responseHeaders());
        List<WebOrigin> listed = preview.isSandboxApi() ? preview.spec().policy().origins() : List.of();
        if (listed.isEmpty()) {
            return headers;
        }
        Optional<WebOrigin> reflected = origin.flatMap(o -> listed.stream().filter(w -> w.matches(o)).findFirst());
        Map<String, String> bound = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase(ALLOW_ORIGIN) && !name.equalsIgnoreCase(ALLOW_CREDENTIALS)) {
                bound.put(name, value);
            }
        });
        reflected.ifPresent(o -> {
            bound.put(ALLOW_ORIGIN, o.value());
            headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(ALLOW_CREDENTIALS)).findFirst()
                    .ifPresent(e -> bound.put(ALLOW_CREDENTIALS, e.getValue()));
        });
        return Collections.unmodifiableMap(bound);
    }

    /** The {@code Origin} a request carries: empty when none, and one that matches nothing when repeated. */
    static Optional<String> origin(HttpServerRequest request) {
        List<String> all = request.headers().getAll("Origin");
        if (all.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(all.size() == 1 ? all.get(0) : "");
    }

    /** Whether a request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
    static boolean isPreflight(HttpServerRequest request) {
        return request.method() == io.vertx.core.http.HttpMethod.OPTIONS
                && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }

    /**
     * Sets the headers, replacing any already set (the broker's own answers); without an
     * {@code Access-Control-Allow-Origin} of their own (a session bound to other origins), none set earlier stays.
     */
    static void apply(HttpServerResponse response, Map<String, String> headers) {
        if (!headers.containsKey(ALLOW_ORIGIN)) {
            response.headers().remove(ALLOW_ORIGIN);
            response.headers().remove(ALLOW_CREDENTIALS);
        }
        headers.forEach(response::putHeader);
        noCredentialsWithWildcard(response);
        varyOrigin(response);
    }

    /** Adds only the headers the response does not already have (a proxied application's headers win). */
    static void applyUnder(HttpServerResponse response, Map<String, String> headers) {
        headers.forEach((name, value) -> {
            if (!response.headers().contains(name)) {
                response.putHeader(name, value);
            }
        });
        noCredentialsWithWildcard(response);
        varyOrigin(response);
    }

    private static void noCredentialsWithWildcard(HttpServerResponse response) {
        String origin = response.headers().get("Access-Control-Allow-Origin");
        if (origin != null && origin.trim().equals("*")) {
            response.headers().remove("Access-Control-Allow-Credentials");
        }
    }

    private static void varyOrigin(HttpServerResponse response) {
        String vary = response.headers().get("Vary");
        if (vary == null || vary.isBlank()) {
            response.putHeader("Vary", "Origin");
        } else if (!vary.toLowerCase(java.util.Locale.ROOT).contains("origin") && !vary.trim().equals("*")) {
            response.putHeader("Vary", vary + ", Origin");
        }
    }
}
