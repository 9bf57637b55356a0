package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SessionQuotas;

/**
 * The broker's quotas for a session that sets none of its own ({@link SessionQuotas}); 0: no limit. Generous by
 * default: a page driving the SDK (execs, their log streams, file calls, a watch) stays far below them, while a
 * leaked or runaway session cannot take a broker for itself.
 *
 * @param requestsPerSecond requests one session may make per second (a token bucket with one second's burst)
 * @param concurrentExecs   processes one session may have running at once, counted from its exec request until the
 *                          process exits
 * @param concurrentStreams log streams, watches and streamed execs one session may hold open at once
 */
public record SessionQuotaDefaults(int requestsPerSecond, int concurrentExecs, int concurrentStreams) {
    public static final SessionQuotaDefaults DEFAULTS = new SessionQuotaDefaults(200, 32, 32);

    public SessionQuotaDefaults {
        check("requestsPerSecond", requestsPerSecond);
        check("concurrentExecs", concurrentExecs);
        check("concurrentStreams", concurrentStreams);
    }

    private static void check(String name, int n) {
        if (n < 0 || n > SessionQuotas.MAX) {
            throw new IllegalArgumentException("the session quota " + name + " must be 0 (no limit) to "
                    + SessionQuotas.MAX + ", not " + n);
        }
    }

    /** The limit of {@code quota} for a session with these terms of its own: its value, else this default. */
    int limit(SessionQuotaLedger.Quota quota, SessionQuotas own) {
        return switch (quota) {
            case REQUESTS_PER_SECOND -> own.requestsPerSecond().orElse(requestsPerSecond);
            case CONCURRENT_EXECS -> own.concurrentExecs().orElse(concurrentExecs);
            case CONCURRENT_STREAMS -> own.concurrentStreams().orElse(concurrentStreams);
        };
    }
}
