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

    private static final class Window {
        final long start;
        volatile int failures;

        Window(long start) {
            this.start = start;
        }
    }

    private final int authFailuresPerMinute;
    private final int maxConnectionsPerIp;
    private final int tokenMintsPerMinute;
    private final Clock clock;
    private final Map<String, Window> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();
    /** Tokens minted per sandbox, in the same windows (the count lives in {@code failures}). */
    private final Map<String, Window> mints = new ConcurrentHashMap<>();

    ClientLimits(int authFailuresPerMinute, int maxConnectionsPerIp, int tokenMintsPerMinute, Clock clock) {
        this.authFailuresPerMinute = authFailuresPerMinute;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.tokenMintsPerMinute = tokenMintsPerMinute;
        this.clock = clock;
    }

    /** Counts a 401 answered to {@code address}. */
    void failedAuthentication(String address) {
        if (authFailuresPerMinute == 0) {
            return;
        }
        long now = clock.millis();
        if (!failures.containsKey(address) && failures.size() >= MAX_TRACKED) {
            return;
        }
        failures.compute(address, (a, w) -> {
            Window window = w == null || now - w.start >= WINDOW_MILLIS ? new Window(now) : w;
            window.failures++;
            return window;
        });
    }

    /** The seconds until {@code address} may try again, when it is over its limit now. */
    OptionalLong retryAfterSeconds(String address) {
        if (authFailuresPerMinute == 0) {
            return OptionalLong.empty();
        }
        Window w = failures.get(address);
        if (w == null) {
            return OptionalLong.empty();
        }
        long left = w.start + WINDOW_MILLIS - clock.millis();
        if (left <= 0 || w.failures < authFailuresPerMinute) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, (left + 999) / 1000));
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
        if (tokenMintsPerMinute == 0) {
            return OptionalLong.empty();
        }
        long now = clock.millis();
        if (!mints.containsKey(sandbox) && mints.size() >= MAX_TRACKED) {
            return OptionalLong.empty();
        }
        long[] retry = {0};
        mints.compute(sandbox, (k, w) -> {
            Window window = w == null || now - w.start >= WINDOW_MILLIS ? new Window(now) : w;
            if (window.failures >= tokenMintsPerMinute) {
                retry[0] = Math.max(1, (window.start + WINDOW_MILLIS - now + 999) / 1000);
            } else {
                window.failures++;
            }
            return window;
        });
        return retry[0] == 0 ? OptionalLong.empty() : OptionalLong.of(retry[0]);
    }

    /** Forgets ended windows; run periodically. */
    void sweep() {
        long now = clock.millis();
        failures.values().removeIf(w -> now - w.start >= WINDOW_MILLIS);
        mints.values().removeIf(w -> now - w.start >= WINDOW_MILLIS);
    }

    /** How many connections {@code address} holds (for tests). */
    int connectionsOf(String address) {
        return connections.getOrDefault(address, 0);
    }
}
