package dev.sandgate.domain;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated set of HTTP headers that a preview adds to responses or requests. Checked when configured, never at
 * response time: names are RFC 7230 tokens, unique ignoring case; values contain no CR, LF or NUL and are at most
 * 8 KiB; at most 64 headers. Framing and hop-by-hop headers ({@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}, {@code Host}, {@code Keep-Alive}, {@code Upgrade}, {@code TE}, {@code Trailer},
 * {@code Proxy-Connection}) and {@code Set-Cookie} are refused.
 */
public record HttpHeaders(Map<String, String> values) {
    public static final HttpHeaders NONE = new HttpHeaders(Map.of());

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> REFUSED = Set.of("content-length", "transfer-encoding", "connection", "host",
            "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "set-cookie");
    private static final int MAX_HEADERS = 64;
    private static final int MAX_VALUE = 8192;

    public HttpHeaders {
        Objects.requireNonNull(values, "headers must not be null");
        if (values.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("too many headers: " + values.size() + " (at most " + MAX_HEADERS + ")");
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "header name must not be null");
            String value = Objects.requireNonNull(e.getValue(), "value of header " + name + " must not be null");
            if (name.length() > 256 || !TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("header name '" + Names.printable(name)
                        + "' is invalid: it must be an RFC 7230 token (no spaces, colons or control characters)");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (REFUSED.contains(lower)) {
                throw new IllegalArgumentException("header '" + name + "' may not be configured: it controls framing "
                        + "or the connection");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == '\0') {
                    throw new IllegalArgumentException("value of header '" + name + "' contains CR, LF or NUL");
                }
            }
            if (value.length() > MAX_VALUE) {
                throw new IllegalArgumentException("value of header '" + name + "' is longer than " + MAX_VALUE);
            }
            if (seen.put(lower, name) != null) {
                throw new IllegalArgumentException("header '" + name + "' is given twice (names ignore case)");
            }
        }
        values = Map.copyOf(values);
    }

    public static HttpHeaders of(Map<String, String> values) {
        return new HttpHeaders(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value of a header, looked up ignoring case. */
    public Optional<String> get(String name) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * These headers laid over {@code defaults}: a key here replaces the default with the same name, ignoring case.
     * The result keeps the defaults' order, then adds the remaining ones.
     */
    public Map<String, String> over(Map<String, String> defaults) {
        Map<String, String> merged = new LinkedHashMap<>();
        defaults.forEach((k, v) -> merged.put(k, get(k).orElse(v)));
        values.forEach((k, v) -> {
            boolean inDefaults = defaults.keySet().stream().anyMatch(d -> d.equalsIgnoreCase(k));
            if (!inDefaults) {
                merged.put(k, v);
            }
        });
        return java.util.Collections.unmodifiableMap(merged);
    }
}
