package dev.sandgate.domain;

/**
 * The name of a preview, unique within its sandbox. Same rule as {@link SandboxName}: a lowercase DNS label,
 * 1–63 characters of {@code a-z}, {@code 0-9} and {@code -}, starting and ending with a letter or digit.
 * Session previews are named {@code session-<epoch millis>}.
 */
public record PreviewName(String value) {
    /** Prefix of the previews that carry sessions, as the wire protocol names them. */
    public static final String SESSION_PREFIX = "session-";

    public PreviewName {
        Names.require(value, Names.DNS_LABEL, "preview name",
                "use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit");
    }

    public static PreviewName of(String value) {
        return new PreviewName(value);
    }

    /** Whether this name marks a session preview (it contains {@code session-}, the wire protocol's test). */
    public boolean isSessionName() {
        return value.contains(SESSION_PREFIX);
    }

    @Override
    public String toString() {
        return value;
    }
}
