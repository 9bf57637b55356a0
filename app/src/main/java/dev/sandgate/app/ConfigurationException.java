package dev.sandgate.app;

import java.util.Objects;

/**
 * The program's configuration is wrong: an unknown flag, a value that does not parse or is out of range, an unreadable
 * configuration file. The message says which setting, from which source, and what is accepted; it never contains the
 * API key. The program exits with status {@value #EXIT_STATUS}.
 */
public final class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit status for a usage or configuration error (as with most command-line tools). */
    public static final int EXIT_STATUS = 2;

    public ConfigurationException(String message) {
        super(Objects.requireNonNull(message, "message must not be null"));
    }

    public ConfigurationException(String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message must not be null"), cause);
    }
}
