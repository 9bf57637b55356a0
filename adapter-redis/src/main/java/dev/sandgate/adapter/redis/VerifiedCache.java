package dev.sandgate.adapter.redis;

import dev.sandgate.domain.PreviewToken;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Credentials this broker verified against Redis lately, kept in memory so that the next request with the same token
 * costs no round trip; trusted only while the broker is subscribed to the cluster's invalidations.
 *
 * <p><b>Fails closed.</b> The cache is trusted only while both the command connection is up and the subscription to
 * the invalidation channel is confirmed ({@link #commandsUp}, {@link #subscribed}). Losing either drops every entry
 * and makes the store refuse to check any credential ({@link #trusted()} false) until both are back; the cache then
 * starts empty, since invalidations published meanwhile were lost (Redis pub/sub keeps nothing for a subscriber that
 * is away).
 *
 * <p><b>Bounded staleness.</b> An entry is used for at most {@link #MAX_AGE} after it was read from Redis (measured
 * with the callers' {@code now}), so even a loss of the subscription that no one noticed yet (a silent network
 * partition) lets a revoked credential through for no longer than that.
 *
 * <p><b>No revival.</b> Every invalidation and every change of trust advances an epoch; an entry is only stored when
 * the epoch did not move since its Redis read began (read before, checked after the put), so an answer read just
 * before a revocation never lands in the cache after the revocation's message dropped its entries.
 */
final class VerifiedCache {
    /** How long a verified credential is used from memory at most. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** Past this many entries nothing more is cached (stale ones are swept first). */
    static final int MAX_ENTRIES = 100_000;

    /** A credential as Redis confirmed it, with the preview's expiry, at {@code verifiedAt}. */
    record Entry(PreviewToken token, Optional<Instant> previewExpires, Instant verifiedAt) {
        Entry {
            Objects.requireNonNull(token, "token must not be null");
            Objects.requireNonNull(previewExpires, "previewExpires must not be null");
            Objects.requireNonNull(verifiedAt, "verifiedAt must not be null");
        }

        boolean freshAt(Instant now) {
            Duration age = Duration.between(verifiedAt, now).abs();
            return age.compareTo(MAX_AGE) < 0;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();
    private boolean commandsUp;
    private boolean subscribed;
    private volatile boolean trusted;

    /** Whether the cache, and so any credential check, may be trusted now. */
    boolean trusted() {
        return trusted;
    }

    /** The epoch to pass to {@link #put}: read it before the Redis read whose answer is to be cached. */
    long epoch() {
        return epoch.get();
    }

    /** The fresh entry for a token's index hash, if any (only while trusted). */
    Optional<Entry> get(String hash, Instant now) {
        Entry entry = entries.get(hash);
        if (entry == null || !trusted) {
            return Optional.empty();
        }
        if (!entry.freshAt(now)) {
            entries.remove(hash, entry);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    /** Caches a credential read from Redis since {@code readEpoch}, unless anything was invalidated meanwhile. */
    void put(long readEpoch, String hash, Entry entry) {
        if (!trusted || epoch.get() != readEpoch) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(e -> !e.freshAt(entry.verifiedAt()));
            if (entries.size() >= MAX_ENTRIES) {
                return;
            }
        }
        entries.put(hash, entry);
        if (epoch.get() != readEpoch) { // an invalidation (or a loss) raced the put: it may have missed this entry
            entries.remove(hash, entry);
        }
    }

    /** Drops what a message names; a message this version cannot read drops everything. */
    void drop(Optional<Invalidation> message) {
        epoch.incrementAndGet();
        if (message.isEmpty()) {
            entries.clear();
            return;
        }
        Invalidation m = message.get();
        entries.values().removeIf(e -> e.token().sandbox().equals(m.sandbox())
                && m.preview().map(p -> p.equals(e.token().preview())).orElse(true)
                && m.token().map(t -> t.equals(e.token().name())).orElse(true));
    }

    /** The command connection went down ({@code false}) or came back ({@code true}). */
    synchronized void commandsUp(boolean up) {
        commandsUp = up;
        update();
    }

    /** The subscription was lost ({@code false}) or confirmed again ({@code true}). */
    synchronized void subscribed(boolean confirmed) {
        subscribed = confirmed;
        update();
    }

    private void update() {
        trusted = false;
        epoch.incrementAndGet();
        entries.clear(); // whatever happened, anything held may have missed an invalidation
        trusted = commandsUp && subscribed;
    }

    int size() {
        return entries.size();
    }
}
