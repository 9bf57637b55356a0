package dev.sandgate.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * The limits one session is held to, set when it is minted; an absent limit is the broker's default for it.
 *
 * @param requestsPerSecond  requests per second the session may make (a token bucket of that rate and burst)
 * @param concurrentExecs    processes started by the session that may run at once
 * @param concurrentStreams  log, watch and exec streams and tunnels the session may hold open at once
 */
public record SessionQuotas(Optional<Integer> requestsPerSecond, Optional<Integer> concurrentExecs,
                            Optional<Integer> concurrentStreams) {
    /** The most any limit may be set to. */
    public static final int MAX = 100_000;
    /** No limit of the session's own: the broker's defaults apply to every one. */
    public static final SessionQuotas DEFAULTS = new SessionQuotas(Optional.empty(), Optional.empty(),
            Optional.empty());

    public SessionQuotas {
        check("requestsPerSecond", requestsPerSecond);
        check("concurrentExecs", concurrentExecs);
        check("concurrentStreams", concurrentStreams);
    }

    private static void check(String name, Optional<Integer> limit) {
        Objects.requireNonNull(limit, name + " must not be null");
        limit.ifPresent(n -> {
            if (n < 1 || n > MAX) {
                throw new IllegalArgumentException(name + " must be 1 to " + MAX + ", not " + n);
            }
        });
    }

    public SessionQuotas withRequestsPerSecond(int limit) {
        return new SessionQuotas(Optional.of(limit), concurrentExecs, concurrentStreams);
    }

    public SessionQuotas withConcurrentExecs(int limit) {
        return new SessionQuotas(requestsPerSecond, Optional.of(limit), concurrentStreams);
    }

    public SessionQuotas withConcurrentStreams(int limit) {
        return new SessionQuotas(requestsPerSecond, concurrentExecs, Optional.of(limit));
    }

    public boolean isDefaults() {
        return equals(DEFAULTS);
    }
}
