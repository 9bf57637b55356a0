package dev.sandgate.adapter.vertx;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the audit trail is pushed as it is written, and how: the receiver's URL, the secret its bodies are signed
 * with (HMAC-SHA256; never logged, never in {@link #toString()}), the most entries kept while the receiver is away
 * (the oldest are dropped beyond it, and counted), the most entries in one request, the backoff between attempts
 * (exponential from {@code initialBackoff} to {@code maxBackoff}, with jitter) and the time one request may take.
 */
public final class AuditWebhookSettings {
    public static final int MAX_QUEUE = 1_000_000;
    public static final int MAX_BATCH = 1000;

    private final URI url;
    private final byte[] secret;
    private final int queueCapacity;
    private final int batchSize;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration timeout;

    private AuditWebhookSettings(URI url, byte[] secret, int queueCapacity, int batchSize, Duration initialBackoff,
                                 Duration maxBackoff, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url must not be null");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("the audit webhook must be an http:// or https:// URL with a host");
        }
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException("the audit webhook URL must not carry user info");
        }
        Objects.requireNonNull(secret, "secret must not be null");
        if (secret.length < 16) {
            throw new IllegalArgumentException("the audit webhook secret must be at least 16 bytes");
        }
        this.secret = secret.clone();
        if (queueCapacity < 1 || queueCapacity > MAX_QUEUE) {
            throw new IllegalArgumentException("queueCapacity " + queueCapacity + " is out of range 1-" + MAX_QUEUE);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize " + batchSize + " is out of range 1-" + MAX_BATCH);
        }
        this.queueCapacity = queueCapacity;
        this.batchSize = batchSize;
        this.initialBackoff = positive(initialBackoff, "initialBackoff");
        this.maxBackoff = positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
        this.timeout = positive(timeout, "timeout");
    }

    /** Defaults: 10 000 entries kept, 100 per request, backoff from 1 s to 5 min, 10 s per request. */
    public static AuditWebhookSettings of(URI url, byte[] secret) {
        return new AuditWebhookSettings(url, secret, 10_000, 100, Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofSeconds(10));
    }

    public AuditWebhookSettings withQueueCapacity(int entries) {
        return new AuditWebhookSettings(url, secret, entries, batchSize, initialBackoff, maxBackoff, timeout);
    }

    public AuditWebhookSettings withBatchSize(int entries) {
        return new AuditWebhookSettings(url, secret, queueCapacity, entries, initialBackoff, maxBackoff, timeout);
    }

    public AuditWebhookSettings withBackoff(Duration initial, Duration max) {
        return new AuditWebhookSettings(url, secret, queueCapacity, batchSize, initial, max, timeout);
    }

    public AuditWebhookSettings withTimeout(Duration perRequest) {
        return new AuditWebhookSettings(url, secret, queueCapacity, batchSize, initialBackoff, maxBackoff, perRequest);
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }

    public URI url() {
        return url;
    }

    byte[] secret() {
        return secret.clone();
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    public int batchSize() {
        return batchSize;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditWebhookSettings s && url.equals(s.url) && Arrays.equals(secret, s.secret)
                && queueCapacity == s.queueCapacity && batchSize == s.batchSize
                && initialBackoff.equals(s.initialBackoff) && maxBackoff.equals(s.maxBackoff)
                && timeout.equals(s.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, queueCapacity, batchSize);
    }

    /** The receiver's scheme, host and port only: its path or query might carry a credential of its own. */
    @Override
    public String toString() {
        return "AuditWebhookSettings[" + url.getScheme() + "://" + url.getHost()
                + (url.getPort() >= 0 ? ":" + url.getPort() : "") + "/..., secret ***]";
    }
}
