package dev.sandgate.app;

import java.util.Locale;

/** Where the program's sandboxes come from. */
public enum GatewayKind {
    /** Sandboxes on this machine (directories and OS processes), with the broker's own store of previews and tokens. */
    LOCAL;

    static GatewayKind parse(String value) {
        String normalised = value.trim().toLowerCase(Locale.ROOT);
        if (normalised.equals("local")) {
            return LOCAL;
        }
        if (normalised.equals("remote")) {
            throw new IllegalArgumentException("'remote' is not available yet; the only gateway is 'local'");
        }
        throw new IllegalArgumentException("'" + value + "' is not a gateway; the only gateway is 'local'");
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
