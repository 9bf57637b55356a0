package dev.sandgate.app;

import java.util.Locale;

/** Where the program's sandboxes come from. */
public enum GatewayKind {
    /** Sandboxes on this machine (directories and OS processes), with the broker's own store of previews and tokens. */
    LOCAL,
    /**
     * Sandboxes of an upstream (another Sandgate broker, or Blaxel's hosted API) reached with an API key only this
     * broker holds, with the broker's own store of previews and tokens: its sessions are its own.
     */
    REMOTE,
    /**
     * A front of a cluster: it hosts no sandbox, places new ones on the cluster's live nodes and forwards every
     * request for a sandbox to its node; needs the Redis store, which holds the nodes and their sandboxes.
     */
    CLUSTER;

    static GatewayKind parse(String value) {
        String normalised = value.trim().toLowerCase(Locale.ROOT);
        for (GatewayKind kind : values()) {
            if (kind.key().equals(normalised)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a gateway; use 'local', 'remote' or 'cluster'");
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
