package dev.sandgate.domain;

/**
 * Stable machine codes carried by every {@link SandgateException}. The names are part of the public
 * contract: clients switch on them, so they never change once released.
 */
public enum ErrorCode {
    NOT_FOUND,
    CONFLICT,
    INVALID_REQUEST,
    /** The request was well formed but cannot be carried out in the current state (e.g. a missing working directory). */
    UNPROCESSABLE,
    /** A body, file or buffer exceeded a configured size limit. */
    TOO_LARGE,
    UNAUTHORIZED,
    EXPIRED,
    UNAVAILABLE,
    /**
     * The shared store (Redis) cannot be reached, or the broker lost its subscription to the store's invalidations:
     * it checks no credential until both are back (fails closed). Retrying later succeeds.
     */
    STORE_UNAVAILABLE,
    /**
     * The sandbox lives on another node of the cluster, and that node is not live (its heartbeat is stale) or does not
     * answer; the message names the node. The sandbox is kept, and served again once its node is back.
     */
    NODE_UNAVAILABLE,
    /**
     * A session is over one of its quotas (requests per second, running processes, open streams); retrying after
     * the time the answer gives succeeds once it is back under.
     */
    QUOTA_EXCEEDED
}
