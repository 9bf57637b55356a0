package dev.sandgate.adapter.local.process;

import java.util.Locale;
import java.util.Objects;

/**
 * The network of an isolated sandbox (see {@link SandboxNetwork}): {@code isolated} (its own loopback and nothing
 * else; the default) or {@code egress} (also a user-mode route to the outside world, never to the host's loopback).
 * Without isolation the network is the host's, whatever this says.
 */
public enum NetworkMode {
    ISOLATED, EGRESS;

    /** Reads {@code isolated} or {@code egress}, ignoring case and surrounding blanks. */
    public static NetworkMode parse(String value) {
        Objects.requireNonNull(value, "sandbox network must not be null");
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (NetworkMode m : values()) {
            if (m.wireName().equals(v)) {
                return m;
            }
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        throw new IllegalArgumentException("sandbox network '" + shown + "' is unknown: use isolated or egress");
    }

    /** The lowercase name used in configuration. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
