package dev.sandgate.ports.audit;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of each sandbox's audit trail is kept: entries younger than {@link #maxAge()}, and at most
 * {@link #maxEntries()} of them (the newest). A query never returns an entry beyond either bound, whether or not the
 * store has already removed it.
 */
public record AuditRetention(Duration maxAge, int maxEntries) {
    public static final int MAX_ENTRIES_LIMIT = 10_000_000;
    public static final AuditRetention DEFAULT = new AuditRetention(Duration.ofDays(30), 10_000);

    public AuditRetention {
        Objects.requireNonNull(maxAge, "maxAge must not be null");
        if (maxAge.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("maxAge " + maxAge + " must be at least a second");
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + " is out of range 1-" + MAX_ENTRIES_LIMIT);
        }
    }
}
