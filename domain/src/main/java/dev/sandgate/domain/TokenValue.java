package dev.sandgate.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The secret of a preview token or session. URL-safe ({@code [A-Za-z0-9_-]}, 16–512 characters). It never appears
 * in {@link #toString()}; {@link #matches(String)} compares in constant time.
 */
public record TokenValue(String value) {
    private static final int MIN_LENGTH = 16;
    private static final int MAX_LENGTH = 512;

    public TokenValue {
        Objects.requireNonNull(value, "token value must not be null");
        if (!isShaped(value)) {
            // The value itself is never echoed: it may be a real secret with a typo.
            throw new IllegalArgumentException("token value is invalid: use 16-512 URL-safe characters [A-Za-z0-9_-]");
        }
    }

    public static TokenValue of(String value) {
        return new TokenValue(value);
    }

    /**
     * Whether {@code presented} has a token's shape ({@code [A-Za-z0-9_-]{16,512}}): the one definition, used to
     * refuse junk before any lookup. A loop rather than a regular expression: every proxied request to a private
     * preview asks, and the regular expression was about 4 % of the proxy's CPU (docs/benchmarks.md).
     */
    public static boolean isShaped(String presented) {
        if (presented == null || presented.length() < MIN_LENGTH || presented.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < presented.length(); i++) {
            char c = presented.charAt(i);
            boolean urlSafe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!urlSafe) {
                return false;
            }
        }
        return true;
    }

    /** The token {@code presented} spells, if it has a token's shape; never throws. */
    public static java.util.Optional<TokenValue> parse(String presented) {
        return isShaped(presented) ? java.util.Optional.of(new TokenValue(presented)) : java.util.Optional.empty();
    }

    /** Constant-time comparison with a presented value (its length is the only thing that leaks). */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenValue t && matches(t.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "TokenValue[***]";
    }
}
