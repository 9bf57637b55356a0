package dev.sandgate.adapter.vertx;

/**
 * What the broker's handlers tell its metrics: one call where something happens, nothing else, so that the broker
 * code reads as before. {@link BrokerMetrics} binds them to Micrometer; {@link #NONE} keeps nothing. Every method is
 * cheap and callable from any thread (event loops included).
 */
interface BrokerMeters {
    /** Keeps nothing. */
    BrokerMeters NONE = new BrokerMeters() {
    };

    /** Which of the broker's faces answered a request (for metrics only; routing decides access, not this). */
    enum Face {
        CONTROL_PLANE, DATA_PLANE, SESSION, PREVIEW, HEALTH, OTHER;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The face a path on the broker's own host names belongs to (preview hosts and origins are PREVIEW). */
        static Face ofPath(String path) {
            String p = path == null ? "/" : path;
            if (p.equals("/v0") || p.startsWith("/v0/")) {
                return CONTROL_PLANE;
            }
            if (p.startsWith("/s/")) {
                return SESSION;
            }
            if (p.startsWith("/p/")) {
                return PREVIEW;
            }
            if (p.equals(HealthRoutes.LIVE) || p.equals(HealthRoutes.READY)) {
                return HEALTH;
            }
            String[] segments = p.split("/", 4);
            return segments.length >= 3 && segments[2].equals("sandboxes") ? DATA_PLANE : OTHER;
        }
    }

    /** A request was answered with {@code status}, {@code nanos} after its headers arrived. */
    default void answered(Face face, int status, long nanos) {
    }

    /** A streamed answer (log stream, watch, streamed exec) opened or closed. */
    default void streamOpened() {
    }

    default void streamClosed() {
    }

    /** A WebSocket tunnel to a preview opened or closed. */
    default void tunnelOpened() {
    }

    default void tunnelClosed() {
    }

    /** A token was minted for a session (a port-443 preview). */
    default void sessionMinted() {
    }

    /** A session was revoked: its preview or its token deleted. */
    default void sessionRevoked() {
    }

    /** Bytes the preview proxy carried from the client to the sandbox. */
    default void proxiedToSandbox(long bytes) {
    }

    /** Bytes the preview proxy carried from the sandbox to the client. */
    default void proxiedToClient(long bytes) {
    }

    /** A request forwarded to the node that owns its sandbox. */
    default void forwarded() {
    }

    /** An audit entry was dropped on its way {@code to} the store ({@code store}) or the webhook ({@code webhook}). */
    default void auditDropped(String to) {
    }
}
