package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionQuotas;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What each session uses of its quotas, counted in this broker's memory: a token bucket of its requests per second
 * (burst: one second's worth), and how many execs and streams it holds. Every method is a few arithmetic steps under
 * the session's own lock, so it is safe on an event loop. A {@link Slot} is given back once, whichever end path comes
 * first; accounts that hold nothing and whose bucket is full are swept.
 *
 * <p>Hand-written rather than a rate-limiting library: the bucket is a dozen lines over the broker's injected
 * {@link java.time.Clock} (tests move it, no sleeps), and the concurrency counts, which such libraries do not have,
 * must share the account anyway.
 */
final class SessionQuotaLedger {
    /** One of a session's quotas, named as the wire names it. */
    enum Quota {
        REQUESTS_PER_SECOND("requestsPerSecond"),
        CONCURRENT_EXECS("concurrentExecs"),
        CONCURRENT_STREAMS("concurrentStreams");

        private final String wireName;

        Quota(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    /** A session: its preview. */
    record Key(SandboxName sandbox, PreviewName preview) {
        Key {
            Objects.requireNonNull(sandbox, "sandbox must not be null");
            Objects.requireNonNull(preview, "preview must not be null");
        }
    }

    /** Why a request is over a quota: which, its limit, and when to try again (whole seconds, at least 1). */
    record Refusal(Quota quota, int limit, long retryAfterSeconds) {
    }

    /** An exec or stream held by a session; {@link #release()} gives it back, once. */
    static final class Slot {
        private final Account account;
        private final Quota quota;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Account account, Quota quota) {
            this.account = account;
            this.quota = quota;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                account.release(quota);
            }
        }

        boolean released() {
            return released.get();
        }
    }

    private final ConcurrentHashMap<Key, Account> accounts = new ConcurrentHashMap<>();

    /** Counts one request of the session at {@code now} against {@code perSecond} (0: no limit). */
    Optional<Refusal> request(Key key, int perSecond, Instant now) {
        if (perSecond <= 0) {
            return Optional.empty();
        }
        AtomicReference<Optional<Refusal>> refusal = new AtomicReference<>(Optional.empty());
        // under the map's lock for the key, so that a sweep never drops an account being counted
        accounts.compute(key, (k, account) -> {
            Account a = account == null ? new Account() : account;
            refusal.set(a.take(perSecond, now));
            return a;
        });
        return refusal.get();
    }

    /** Takes one exec or stream of the session, if it holds fewer than {@code limit} (0: no limit). */
    SlotOrRefusal acquire(Key key, Quota quota, int limit) {
        if (quota == Quota.REQUESTS_PER_SECOND) {
            throw new IllegalArgumentException("requests are counted, not held");
        }
        AtomicReference<Slot> slot = new AtomicReference<>();
        accounts.compute(key, (k, account) -> {
            Account a = account == null ? new Account() : account;
            slot.set(a.hold(quota, limit) ? new Slot(a, quota) : null);
            return a;
        });
        return slot.get() != null ? new SlotOrRefusal(Optional.of(slot.get()), Optional.empty())
                : new SlotOrRefusal(Optional.empty(), Optional.of(new Refusal(quota, limit, 1)));
    }

    /** A slot, or why there is none. */
    record SlotOrRefusal(Optional<Slot> slot, Optional<Refusal> refusal) {
    }

    /** How many of {@code quota} the session holds now (for tests and metrics). */
    int held(Key key, Quota quota) {
        Account account = accounts.get(key);
        return account == null ? 0 : account.held(quota);
    }

    /** Forgets the accounts that hold nothing and whose bucket would be full at {@code now}. */
    void sweep(Instant now) {
        for (Key key : accounts.keySet()) {
            accounts.computeIfPresent(key, (k, account) -> account.idleAt(now) ? null : account);
        }
    }

    int accounts() {
        return accounts.size();
    }

    /** One session's use; every method under its lock. */
    private static final class Account {
        private double tokens = -1;
        private int rate;
        private Instant last = Instant.EPOCH;
        private int execs;
        private int streams;

        synchronized Optional<Refusal> take(int perSecond, Instant now) {
            if (tokens < 0 || rate != perSecond) {
                tokens = tokens < 0 ? perSecond : Math.min(tokens, perSecond);
                rate = perSecond;
            } else if (now.isAfter(last)) {
                double elapsed = Duration.between(last, now).toNanos() / 1e9;
                tokens = Math.min(perSecond, tokens + elapsed * perSecond);
            }
            last = now.isAfter(last) ? now : last;
            if (tokens >= 1) {
                tokens -= 1;
                return Optional.empty();
            }
            long retry = (long) Math.ceil((1 - tokens) / perSecond);
            return Optional.of(new Refusal(Quota.REQUESTS_PER_SECOND, perSecond, Math.max(1, retry)));
        }

        synchronized boolean hold(Quota quota, int limit) {
            int now = held(quota);
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (quota == Quota.CONCURRENT_EXECS) {
                execs++;
            } else {
                streams++;
            }
            return true;
        }

        synchronized void release(Quota quota) {
            if (quota == Quota.CONCURRENT_EXECS) {
                execs = Math.max(0, execs - 1);
            } else {
                streams = Math.max(0, streams - 1);
            }
        }

        synchronized int held(Quota quota) {
            return quota == Quota.CONCURRENT_EXECS ? execs : streams;
        }

        synchronized boolean idleAt(Instant now) {
            if (execs > 0 || streams > 0) {
                return false;
            }
            if (tokens < 0) {
                return true;
            }
            double elapsed = now.isAfter(last) ? Duration.between(last, now).toNanos() / 1e9 : 0;
            return tokens + elapsed * rate >= rate;
        }
    }
}
