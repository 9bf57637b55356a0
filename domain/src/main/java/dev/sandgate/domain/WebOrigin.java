package dev.sandgate.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * A web origin as a browser sends it in its {@code Origin} header: {@code scheme://host[:port]}, scheme {@code http}
 * or {@code https}, no path, query, fragment or user info. Kept in the form a browser sends: lower case, and without
 * the scheme's default port ({@code https://app.example:443} is {@code https://app.example}), so that comparing an
 * {@code Origin} header with a listed origin is comparing two strings.
 */
public record WebOrigin(String value) {
    public WebOrigin {
        Objects.requireNonNull(value, "origin must not be null");
        if (!value.equals(normalise(value))) {
            throw new IllegalArgumentException("origin '" + Names.printable(value) + "' is not in its normal form "
                    + "(use WebOrigin.of)");
        }
    }

    /** The origin {@code text} names, normalised; fails with a message saying what is wrong. */
    public static WebOrigin of(String text) {
        return new WebOrigin(normalise(Objects.requireNonNull(text, "origin must not be null")));
    }

    private static String normalise(String text) {
        String shown = Names.printable(text);
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("origin '" + shown + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("origin '" + shown + "' must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
            throw new IllegalArgumentException("origin '" + shown + "' must be scheme://host[:port] only, "
                    + "like https://app.example.com");
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
                || (scheme.equals("https") && port == 443);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** Whether a request's {@code Origin} header names this origin (browsers send it normalised). */
    public boolean matches(String originHeader) {
        return originHeader != null && value.equals(originHeader.trim().toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value;
    }
}
