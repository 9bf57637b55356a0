package dev.sandgate.adapter.vertx;

import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client-address limits: failed authentications (every 401 the broker answers) and open connections; and one
 * per sandbox: tokens minted through the control plane ({@code tokenMintsPerMinute}, 429 beyond it; a session is a
 * preview and a token, so this bounds sessions too).
 *
 * <p><b>Failed authentications</b> are counted in fixed windows of {@link #WINDOW_MILLIS} per address; an address
 * that reached {@code authFailuresPerMinute} gets 429, with {@code Retry-After}, on everything but preflights
 * until its window ends. Tokens are far too long to guess, so this is not what keeps them safe: it keeps a client
 * that hammers the broker with bad credentials from costing more than a few answers a second. <b>Connections</b>:
 * an address holding {@code maxConnectionsPerIp} connections has further ones closed at once. Zero turns either
 * limit off. The address is the TCP peer's: behind a reverse proxy every client shares the proxy's, and
 * {@code X-Forwarded-For} is never trusted for it. Memory is bounded: at most {@link #MAX_TRACKED} addresses are
 * tracked; past that, new addresses are not counted until {@link #sweep()} drops ended windows.
 */
final class ClientLimits {
    static final long WINDOW_MILLIS = 60_000;
    static final int MAX_TRACKED = 100_000;

    /** Counts per key in fixed windows of {@link #WINDOW_MILLIS} that start at a key's first count. */
    private final class Windows {
        private final Map<String, long[]> byKey = new ConcurrentHashMap<>(); // {start, count}

        /** Adds one to {@code key}'s current window unless it holds {@code limit} already; false when it did. */
        boolean add(String key, int limit) {
            long now = clock.millis();
            if (!byKey.containsKey(key) && byKey.size() >= MAX_TRACKED) {
                return true; // not tracked: nothing to hold against it
            }
            boolean[] added = {false};
            byKey.compute(key, (k, w) -> {
                long[] window = w == null || now - w[0] >= WINDOW_MILLIS ? new long[] {now, 0} : w;
                if (window[1] < limit) {
                    window[1]++;
                    added[0] = true;
                }
                return window;
            });
            return added[0];
        }

        /** The seconds until {@code key}'s window ends, when it holds {@code limit} now. */
        OptionalLong retryAfterSeconds(String key, int limit) {
            long[][] copy = new long[1][];
            byKey.computeIfPresent(key, (k, w) -> {
                copy[0] = w.clone(); // read under the same lock the counting takes
                return w;
            });
            long[] seen = copy[0];
            if (seen == null) {
                return OptionalLong.empty();
            }
            long left = seen[0] + WINDOW_MILLIS - clock.millis();
            return left <= 0 || seen[1] < limit ? OptionalLong.empty()
                    : OptionalLong.of(Math.max(1, (left + 999) / 1000));
        }

        void sweep() {
            long now = clock.millis();
            byKey.values().removeIf(w -> now - w[0] >= WINDOW_MILLIS);
        }
    }

    private final int authFailuresPerMinute;
    private final int maxConnectionsPerIp;
    private final int tokenMintsPerMinute;
    private final Clock clock;
    private final Windows failures = new Windows();
    /** Tokens minted per sandbox. */
    private final Windows mints = new Windows();
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();

    ClientLimits(int authFailuresPerMinute, int maxConnectionsPerIp, int tokenMintsPerMinute, Clock clock) {
        this.authFailuresPerMinute = authFailuresPerMinute;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.tokenMintsPerMinute = tokenMintsPerMinute;
        this.clock = clock;
    }

    /** Counts a 401 answered to {@code address}. */
    void failedAuthentication(String address) {
        if (authFailuresPerMinute > 0) {
            failures.add(address, authFailuresPerMinute);
        }
    }

    /** The seconds until {@code address} may try again, when it is over its limit now. */
    OptionalLong retryAfterSeconds(String address) {
        return authFailuresPerMinute == 0 ? OptionalLong.empty()
                : failures.retryAfterSeconds(address, authFailuresPerMinute);
    }

    /** Counts a connection from {@code address}; false when it is one too many (the caller closes it). */
    boolean connectionOpened(String address) {
        int open = connections.merge(address, 1, Integer::sum);
        return maxConnectionsPerIp == 0 || open <= maxConnectionsPerIp;
    }

    void connectionClosed(String address) {
        connections.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Counts a token minted for {@code sandbox}; the seconds to wait when that is one more than
     * {@code tokenMintsPerMinute} allows in the current window (the mint is then refused and not counted).
     */
    OptionalLong mintRefusedFor(String sandbox) {
        if (tokenMintsPerMinute == 0 || mints.add(sandbox, tokenMintsPerMinute)) {
            return OptionalLong.empty();
        }
        OptionalLong retry = mints.retryAfterSeconds(sandbox, tokenMintsPerMinute);
        return retry.isPresent() ? retry : OptionalLong.of(1); // the window ended meanwhile
    }

    /** Forgets ended windows; run periodically. */
    void sweep() {
        failures.sweep();
        mints.sweep();
    }

    /** How many connections {@code address} holds (for tests). */
    int connectionsOf(String address) {
        return connections.getOrDefault(address, 0);
    }
}
