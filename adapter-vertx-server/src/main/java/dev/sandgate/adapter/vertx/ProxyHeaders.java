package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header, query and cookie rules of the preview proxy: what goes upstream and what comes back. Hop-by-hop
 * headers (Connection and what it names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade except for a
 * WebSocket upgrade) are dropped both ways; the request's own Host, forwarding headers, token and API key never
 * reach the sandbox; the preview's {@code requestHeaders} are injected. Every request runs this on its event loop,
 * so the common case (no Connection header naming others, lowercase names) allocates nothing beyond the copy.
 */
final class ProxyHeaders {
    static final String TOKEN_PARAM = "bl_preview_token";
    static final String TOKEN_COOKIE = "bl_preview_token";
    // Lowercase names by length, compared ignoring case without lowering each header's name (which allocated per
    // header): a header is compared with the one or two names of its length only.
    private static final String[][] HOP_BY_HOP = byLength("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
            "http2-settings");
    private static final String[][] NEVER_FORWARDED = byLength("host", "x-blaxel-preview-token",
            "x-blaxel-authorization", "x-blaxel-workspace", "forwarded", "x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-real-ip", "expect");
    private static final List<String> KEEP_ALIVE = List.of("keep-alive");
    private static final List<String> CLOSE = List.of("close");
    private static final List<String> UPGRADE = List.of("upgrade");

    private final Credentials credentials;
    private final String upstreamHost;
    private final String publicScheme;

    ProxyHeaders(Credentials credentials, String upstreamHost, String publicScheme) {
        this.credentials = credentials;
        this.upstreamHost = upstreamHost;
        this.publicScheme = publicScheme;
    }

    /** The headers sent upstream for {@code request}, in Vert.x's HTTP/1 header map (no copy when sent). */
    MultiMap upstream(HttpServerRequest request, Preview preview, boolean webSocket) {
        MultiMap in = request.headers();
        MultiMap out = io.vertx.core.http.HttpHeaders.headers();
        List<String> named = connectionNamed(in);
        for (Map.Entry<String, String> h : in) {
            String name = h.getKey();
            if (isHopByHop(name, named) || oneOf(NEVER_FORWARDED, name)) {
                continue;
            }
            if (name.equalsIgnoreCase("cookie")) {
                // every preview's token cookie: on a host, browsers send the cookies of all its ports
                String kept = withoutTokenCookies(h.getValue());
                if (!kept.isEmpty()) {
                    out.add(h.getKey(), kept);
                }
                continue;
            }
            if (name.equalsIgnoreCase("authorization") && credentials.isApiKeyAuthorization(h.getValue())) {
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        if (webSocket) {
            out.set("Upgrade", "websocket");
            out.set("Connection", "Upgrade");
        }
        out.set("Host", upstreamHost + ":" + preview.port().value());
        String client = Failures.address(request.remoteAddress());
        if (!client.isEmpty()) {
            out.set("X-Forwarded-For", client);
        }
        out.set("X-Forwarded-Proto", publicScheme);
        Map<String, String> injected = preview.spec().requestHeaders().values();
        if (!injected.isEmpty()) {
            injected.forEach(out::set);
        }
        return out;
    }

    /** Copies an upstream answer's headers, without the hop-by-hop ones (kept for a WebSocket's 101). */
    static void copyAnswer(MultiMap from, MultiMap to, boolean webSocket) {
        List<String> named = connectionNamed(from);
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey();
            boolean upgradeHeader = webSocket && (name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("connection"));
            if (!upgradeHeader && isHopByHop(name, named)) {
                continue;
            }
            to.add(h.getKey(), h.getValue());
        }
    }

    /** The lowercase names listed in Connection headers (which are hop-by-hop too); none without the header. */
    static List<String> connectionNamed(MultiMap headers) {
        List<String> values = headers.getAll("Connection");
        if (values.isEmpty()) {
            return List.of();
        }
        if (values.size() == 1) { // the usual answers, without splitting or lowering
            String only = values.get(0).trim();
            if (only.equalsIgnoreCase("keep-alive")) {
                return KEEP_ALIVE;
            } else if (only.equalsIgnoreCase("close")) {
                return CLOSE;
            } else if (only.equalsIgnoreCase("upgrade")) {
                return UPGRADE;
            }
        }
        Set<String> names = new HashSet<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return List.copyOf(names);
    }

    /** Whether a header is hop-by-hop: one of the standard names, or one its message's Connection names. */
    static boolean isHopByHop(String name, List<String> connectionNamed) {
        return oneOf(HOP_BY_HOP, name) || (!connectionNamed.isEmpty() && oneOf(connectionNamed, name));
    }

    private static String[][] byLength(String... lowercase) {
        int longest = 0;
        for (String n : lowercase) {
            longest = Math.max(longest, n.length());
        }
        String[][] table = new String[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            final int l = length;
            table[length] = java.util.Arrays.stream(lowercase).filter(n -> n.length() == l).toArray(String[]::new);
        }
        return table;
    }

    /** Whether {@code name} is one of the names of {@code table} ({@link #byLength}), ignoring its case. */
    private static boolean oneOf(String[][] table, String name) {
        if (name.length() >= table.length) {
            return false;
        }
        for (String candidate : table[name.length()]) {
            if (candidate.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} is one of {@code lowercase} (lowercase names), ignoring its case. */
    private static boolean oneOf(List<String> lowercase, String name) {
        for (String candidate : lowercase) {
            if (candidate.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    static boolean isWebSocketUpgrade(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            return false;
        }
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connectionNamed(request.headers()).contains("upgrade");
    }

    /** The raw query without every {@code name=…} pair (name compared after decoding). */
    static String withoutParam(String query, String name) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!decodeQuery(key).equals(name)) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    static List<String> queryValues(String query, String name) {
        List<String> values = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decodeQuery(key).equals(name)) {
                values.add(eq < 0 ? "" : decodeQuery(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    /** A Cookie header value without any preview token cookie ({@code bl_preview_token}, {@code bl_preview_token_*}). */
    static String withoutTokenCookies(String header) {
        List<String> kept = new ArrayList<>();
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String key = p.contains("=") ? p.substring(0, p.indexOf('=')).trim() : p;
            if (!key.equals(TOKEN_COOKIE) && !key.startsWith(TOKEN_COOKIE + "_")) {
                kept.add(p);
            }
        }
        return String.join("; ", kept);
    }
}
