package dev.sandgate.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** One environment variable. Names match {@code [A-Za-z_][A-Za-z0-9_]*}; values contain no NUL. */
public record EnvVar(String name, String value) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");

    public EnvVar {
        requireName(name);
        requireValue(name, value);
    }

    static String requireName(String name) {
        return Names.require(name, NAME, "environment variable name",
                "use letters, digits and '_', not starting with a digit, at most 256 characters");
    }

    static String requireValue(String name, String value) {
        Objects.requireNonNull(value, "value of environment variable " + name + " must not be null");
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value of environment variable " + name + " contains a NUL character");
        }
        return value;
    }
}
