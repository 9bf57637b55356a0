package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers every answer on a session or preview URL carries: the wire protocol's CORS defaults overridden by the
 * preview's {@code responseHeaders} (names compared ignoring case), plus {@code Vary: Origin}. They go on every
 * answer the broker writes there, errors and streams included; a proxied application's own headers win over them.
 * {@code Access-Control-Allow-Credentials} is dropped whenever the answer's {@code Access-Control-Allow-Origin} is
 * {@code *}: browsers refuse that pair anyway, and the SDK sends no credentials.
 */
final class Cors {
    static final Map<String, String> DEFAULTS;

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

    /** Whether a request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
    static boolean isPreflight(HttpServerRequest request) {
        return request.method() == io.vertx.core.http.HttpMethod.OPTIONS
                && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }

    /** Sets the headers, replacing any already set (the broker's own answers). */
    static void apply(HttpServerResponse response, Map<String, String> headers) {
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
