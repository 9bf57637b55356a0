package dev.sandgate.adapter.local.process;

import java.util.Locale;
import java.util.Objects;

/** The isolation setting: {@code auto} (bubblewrap when it works, else none), {@code bwrap} (required) or {@code none}. */
public enum IsolationMode {
    AUTO, BWRAP, NONE;

    /** Reads {@code auto}, {@code bwrap} or {@code none}, ignoring case and surrounding blanks. */
    public static IsolationMode parse(String value) {
        Objects.requireNonNull(value, "isolation must not be null");
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (IsolationMode m : values()) {
            if (m.wireName().equals(v)) {
                return m;
            }
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        throw new IllegalArgumentException("isolation '" + shown + "' is unknown: use auto, bwrap or none");
    }

    /** The lowercase name used in configuration. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
