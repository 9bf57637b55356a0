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

    @Override
    public String toString() {
        return value;
    }
}
