package dev.sandgate.domain;

/**
 * The name of a preview token, unique within its preview: 1–128 characters of {@code A-Z a-z 0-9 . _ -},
 * starting with a letter or digit. The SDK names them {@code token-<epoch millis>}.
 */
public record TokenName(String value) {
    public TokenName {
        Names.require(value, Names.IDENTIFIER, "token name",
                "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    public static TokenName of(String value) {
        return new TokenName(value);
    }

    /**
     * The name the SDK gives a token it mints at {@code epochMillis}: {@code token-<epoch millis>}. Every place that
     * names a token without being told a name (a session, a token minted by the Java API or the broker) uses this.
     */
    public static TokenName mintedAt(long epochMillis) {
        return new TokenName(PREFIX + epochMillis);
    }

    private static final String PREFIX = "token-";

    @Override
    public String toString() {
        return value;
    }
}
