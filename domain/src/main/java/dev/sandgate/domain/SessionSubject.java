package dev.sandgate.domain;

import java.util.Objects;

/**
 * The end user a session is for, as the backend that minted it names them ({@code user-42}, an e-mail, an id of its
 * own): an opaque label Sandgate never interprets, carried into the audit trail and matched by revoke-all. One to 128
 * printable characters, no control characters, so it is safe in a log line and a query string.
 */
public record SessionSubject(String value) {
    /** The longest subject accepted. */
    public static final int MAX_LENGTH = 128;

    public SessionSubject {
        Objects.requireNonNull(value, "subject must not be null");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("subject must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("subject must not contain control characters: '"
                        + Names.printable(value) + "'");
            }
        }
    }

    public static SessionSubject of(String value) {
        return new SessionSubject(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
