package dev.sandgate.adapter.vertx;

import java.time.Duration;
import java.util.Objects;

/**
 * How long-lived answers behave: streamed logs, watches and execs, and WebSocket tunnels to previews.
 *
 * @param revocationCheck   how often what is open on a session or preview token is judged again; a deleted or
 *                          expired credential ends its streams and tunnels within this plus one check (250 ms)
 * @param maxBufferedBytes  the most one streamed answer holds for a client that does not read (its write queue and
 *                          the lines waiting for it); lines beyond are dropped and the client is told how many
 *                          (1 MiB)
 * @param tunnelIdleTimeout a WebSocket tunnel with no traffic either way for this long is closed (1 h; a dev
 *                          server's reload channel is quiet between edits)
 */
public record StreamSettings(Duration revocationCheck, long maxBufferedBytes, Duration tunnelIdleTimeout) {
    public static final Duration DEFAULT_REVOCATION_CHECK = Duration.ofMillis(250);
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_TUNNEL_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final long MIN_BUFFERED_BYTES = 16 * 1024;
    public static final long MAX_BUFFERED_BYTES = 1024L * 1024 * 1024;
    public static final Duration MIN_TUNNEL_IDLE_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TUNNEL_IDLE_TIMEOUT = Duration.ofDays(7);

    public StreamSettings {
        Objects.requireNonNull(revocationCheck, "revocationCheck must not be null");
        Objects.requireNonNull(tunnelIdleTimeout, "tunnelIdleTimeout must not be null");
        if (revocationCheck.compareTo(Duration.ofMillis(10)) < 0 || revocationCheck.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("revocationCheck " + revocationCheck + " is out of range 10 ms - 1 s "
                    + "(revocation must reach open streams within a second)");
        }
        if (maxBufferedBytes < MIN_BUFFERED_BYTES || maxBufferedBytes > MAX_BUFFERED_BYTES) {
            throw new IllegalArgumentException("maxBufferedBytes " + maxBufferedBytes + " is out of range 16 KiB - 1 GiB");
        }
        if (tunnelIdleTimeout.compareTo(MIN_TUNNEL_IDLE_TIMEOUT) < 0
                || tunnelIdleTimeout.compareTo(MAX_TUNNEL_IDLE_TIMEOUT) > 0) {
            throw new IllegalArgumentException("tunnelIdleTimeout " + tunnelIdleTimeout + " is out of range 1 s - 7 d");
        }
    }

    public static StreamSettings defaults() {
        return new StreamSettings(DEFAULT_REVOCATION_CHECK, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_TUNNEL_IDLE_TIMEOUT);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link StreamSettings} by name, from the defaults or {@link #toBuilder()}; checked by the record. */
    public static final class Builder {
        private Duration revocationCheck;
        private long maxBufferedBytes;
        private Duration tunnelIdleTimeout;

        private Builder(StreamSettings from) {
            revocationCheck = from.revocationCheck;
            maxBufferedBytes = from.maxBufferedBytes;
            tunnelIdleTimeout = from.tunnelIdleTimeout;
        }

        public Builder revocationCheck(Duration value) {
            revocationCheck = value;
            return this;
        }

        public Builder maxBufferedBytes(long value) {
            maxBufferedBytes = value;
            return this;
        }

        public Builder tunnelIdleTimeout(Duration value) {
            tunnelIdleTimeout = value;
            return this;
        }

        public StreamSettings build() {
            return new StreamSettings(revocationCheck, maxBufferedBytes, tunnelIdleTimeout);
        }
    }
}
