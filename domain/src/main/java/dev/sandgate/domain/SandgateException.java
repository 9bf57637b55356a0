package dev.sandgate.domain;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The errors a port may declare. Adapters produce them, the edges (HTTP server, HTTP client) translate them;
 * no technology-specific exception crosses a port. Messages never contain a token value.
 */
public abstract sealed class SandgateException extends RuntimeException
        permits SandgateException.NotFound, SandgateException.Conflict, SandgateException.InvalidRequest,
        SandgateException.Unauthorized, SandgateException.Expired, SandgateException.Unavailable,
        SandgateException.QuotaExceeded {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    SandgateException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message must not be null"), cause);
        this.code = Objects.requireNonNull(code, "code must not be null");
    }

    /** The stable machine code. */
    public ErrorCode code() {
        return code;
    }

    /** Something named does not exist (sandbox, preview, token, process, file). */
    public static final class NotFound extends SandgateException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(ErrorCode.NOT_FOUND, message, null);
        }
    }

    /** The request collides with existing state (a name already in use). */
    public static final class Conflict extends SandgateException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(ErrorCode.CONFLICT, message, null);
        }
    }

    /**
     * The request itself is wrong: a bad value, a state it cannot be applied to ({@link ErrorCode#UNPROCESSABLE}),
     * or a size over a limit ({@link ErrorCode#TOO_LARGE}).
     */
    public static final class InvalidRequest extends SandgateException {
        private static final long serialVersionUID = 1L;

        public InvalidRequest(String message) {
            this(ErrorCode.INVALID_REQUEST, message, null);
        }

        public InvalidRequest(String message, Throwable cause) {
            this(ErrorCode.INVALID_REQUEST, message, cause);
        }

        public InvalidRequest(ErrorCode code, String message) {
            this(code, message, null);
        }

        private InvalidRequest(ErrorCode code, String message, Throwable cause) {
            super(requireRequestCode(code), message, cause);
        }

        public static InvalidRequest unprocessable(String message) {
            return new InvalidRequest(ErrorCode.UNPROCESSABLE, message);
        }

        public static InvalidRequest tooLarge(String message) {
            return new InvalidRequest(ErrorCode.TOO_LARGE, message);
        }

        private static ErrorCode requireRequestCode(ErrorCode code) {
            if (code != ErrorCode.INVALID_REQUEST && code != ErrorCode.UNPROCESSABLE && code != ErrorCode.TOO_LARGE) {
                throw new IllegalArgumentException("not an invalid-request code: " + code);
            }
            return code;
        }
    }

    /** Missing, unknown or foreign credentials. */
    public static final class Unauthorized extends SandgateException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message) {
            super(ErrorCode.UNAUTHORIZED, message, null);
        }
    }

    /** A credential or preview that was valid once and is past its expiry. */
    public static final class Expired extends SandgateException {
        private static final long serialVersionUID = 1L;

        public Expired(String message) {
            super(ErrorCode.EXPIRED, message, null);
        }
    }

    /**
     * The provider cannot be reached or cannot answer now ({@link ErrorCode#UNAVAILABLE}), or the shared store of
     * previews and tokens cannot ({@link ErrorCode#STORE_UNAVAILABLE}); retrying later may succeed.
     */
    public static final class Unavailable extends SandgateException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(ErrorCode.UNAVAILABLE, message, null);
        }

        public Unavailable(String message, Throwable cause) {
            super(ErrorCode.UNAVAILABLE, message, cause);
        }

        private Unavailable(ErrorCode code, String message, Throwable cause) {
            super(code, message, cause);
        }

        /** The shared store is out of reach, or its invalidations are: no credential is checked meanwhile. */
        public static Unavailable store(String message, Throwable cause) {
            return new Unavailable(ErrorCode.STORE_UNAVAILABLE, message, cause);
        }

        /** The node a sandbox lives on is not live or does not answer; {@code message} names it. */
        public static Unavailable node(String message) {
            return new Unavailable(ErrorCode.NODE_UNAVAILABLE, message, null);
        }
    }

    /**
     * A session is over one of its quotas ({@link ErrorCode#QUOTA_EXCEEDED}): {@link #quota()} names which, as the
     * wire does ({@code requestsPerSecond}, {@code concurrentExecs}, {@code concurrentStreams}; empty when the answer
     * did not say), and {@link #retryAfter()} when to try again.
     */
    public static final class QuotaExceeded extends SandgateException {
        private static final long serialVersionUID = 1L;

        private final String quota;
        private final Duration retryAfter;

        public QuotaExceeded(String message, Optional<String> quota, Duration retryAfter) {
            super(ErrorCode.QUOTA_EXCEEDED, message, null);
            this.quota = Objects.requireNonNull(quota, "quota must not be null").orElse(null);
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter must not be null");
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative, not " + retryAfter);
            }
        }

        public Optional<String> quota() {
            return Optional.ofNullable(quota);
        }

        /** How long to wait before trying again, as the answer's {@code Retry-After} said. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
