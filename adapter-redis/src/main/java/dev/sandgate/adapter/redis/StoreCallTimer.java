package dev.sandgate.adapter.redis;

/**
 * Told how long each round trip of a {@link RedisAccessStore} took (for an operator's latency metrics). Called on the
 * caller's thread after every call, so it must be cheap and must not throw.
 */
@FunctionalInterface
public interface StoreCallTimer {
    /** Times nothing. */
    StoreCallTimer NONE = (operation, nanos, failed) -> {
    };

    /**
     * @param operation the script or command, lowercase ({@code mint}, {@code verify}, {@code find_preview},
     *                  {@code ping})
     * @param nanos     how long it took
     * @param failed    whether Redis could not be reached or answered an error
     */
    void record(String operation, long nanos, boolean failed);
}
