package dev.sandgate.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** Shared validation for the name value objects. */
final class Names {
    /** A lowercase DNS label: 1–63 of {@code [a-z0-9-]}, starting and ending with a letter or digit. */
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** 1–128 of {@code [A-Za-z0-9._-]}, starting with a letter or digit. */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Names() {
    }

    static String require(String value, Pattern pattern, String what, String rule) {
        Objects.requireNonNull(value, what + " must not be null");
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + printable(value) + "' is invalid: " + rule);
        }
        return value;
    }

    /** Makes a rejected value safe to echo in a message: control characters escaped, long values cut. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("…(").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
