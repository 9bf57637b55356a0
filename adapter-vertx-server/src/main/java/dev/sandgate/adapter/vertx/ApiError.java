package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An error answer: its HTTP status, a stable code and a message safe to show (domain messages never carry a token).
 * Two body shapes, as the wire protocol wants them: the control plane's {@code {"code":404,"error":"NOT_FOUND",
 * "message":…}} and the sandbox API's {@code {"error":"message","code":404,"reason":"NOT_FOUND"}}.
 */
record ApiError(int status, String code, String message, JsonObject details) {
    private static final Logger LOG = LoggerFactory.getLogger(ApiError.class);

    /** The one 401 every credential failure gets, whatever the reason, so that no answer tells them apart. */
    static final ApiError UNAUTHORIZED = new ApiError(401, "UNAUTHORIZED",
            "a valid API key or preview token is required");

    /** An error without details beyond its code and message. */
    ApiError(int status, String code, String message) {
        this(status, code, message, new JsonObject());
    }

    /**
     * A session's scopes do not cover the request (403 {@code SCOPE_MISSING}); {@code scope} names the scope it
     * needed, and {@code path} or {@code port} what it may not name.
     */
    static ApiError scopeMissing(AccessDecision.ScopeRefusal refusal) {
        JsonObject details = new JsonObject().put("scope", refusal.scope().wireName());
        refusal.path().ifPresent(p -> details.put("path", p.value()));
        refusal.port().ifPresent(p -> details.put("port", p.value()));
        return new ApiError(403, "SCOPE_MISSING", refusal.message(), details);
    }

    /**
     * The request's {@code Origin} is not one the session is bound to (403 {@code ORIGIN_NOT_ALLOWED}); the origin
     * is not echoed.
     */
    static ApiError originNotAllowed() {
        return new ApiError(403, "ORIGIN_NOT_ALLOWED",
                "this session may be used only from the web origins it was minted for, and this request's Origin "
                        + "is not one of them");
    }

    /**
     * A session is over one of its quotas (429 {@code QUOTA_EXCEEDED}): {@code quota} names which
     * ({@code requestsPerSecond}, {@code concurrentExecs}, {@code concurrentStreams}), {@code limit} its value;
     * the answer's {@code Retry-After} says when to try again.
     */
    static ApiError quotaExceeded(SessionQuotaLedger.Refusal refusal) {
        String what = switch (refusal.quota()) {
            case REQUESTS_PER_SECOND -> refusal.limit() + " requests per second";
            case CONCURRENT_EXECS -> refusal.limit() + " running processes";
            case CONCURRENT_STREAMS -> refusal.limit() + " open streams";
        };
        return new ApiError(429, "QUOTA_EXCEEDED", "this session is over its quota of " + what
                + ": retry after the time Retry-After gives", new JsonObject()
                .put("quota", refusal.quota().wireName()).put("limit", refusal.limit())
                .put("retryAfterSeconds", refusal.retryAfterSeconds()));
    }

    /** Session URLs serve the API key only (see {@link BrokerSettings#sessionRefusal()}). */
    static ApiError sessionsRefused(String reason) {
        return new ApiError(403, "SESSIONS_REFUSED", reason);
    }

    /** A request carrying the header of the cluster credential with a value that is not the cluster's. */
    static ApiError clusterCredentialRefused() {
        return new ApiError(403, "CLUSTER_CREDENTIAL_REFUSED", "the header " + ClusterCredential.HEADER
                + " is for the brokers of a cluster only, and its value is not this cluster's");
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "NOT_FOUND", message);
    }

    /** The error for a throwable from a handler or the gateway. Unexpected ones are logged (class and origin only). */
    static ApiError of(Throwable failure) {
        if (failure instanceof Refusal refusal) {
            return refusal.error;
        }
        if (failure instanceof SandgateException e) {
            return switch (e.code()) {
                case NOT_FOUND -> new ApiError(404, "NOT_FOUND", e.getMessage());
                case CONFLICT -> new ApiError(409, "CONFLICT", e.getMessage());
                case INVALID_REQUEST -> new ApiError(400, "INVALID_REQUEST", e.getMessage());
                case UNPROCESSABLE -> new ApiError(422, "UNPROCESSABLE", e.getMessage());
                case TOO_LARGE -> new ApiError(413, "TOO_LARGE", e.getMessage());
                case UNAUTHORIZED, EXPIRED -> UNAUTHORIZED;
                case UNAVAILABLE, STORE_UNAVAILABLE, NODE_UNAVAILABLE -> new ApiError(503, e.code().name(), e.getMessage());
                case QUOTA_EXCEEDED -> new ApiError(429, "QUOTA_EXCEEDED", e.getMessage());
            };
        }
        if (failure instanceof DecodeException) {
            return new ApiError(400, "INVALID_REQUEST", "malformed JSON body");
        }
        if (failure instanceof IllegalArgumentException) {
            return new ApiError(400, "INVALID_REQUEST", String.valueOf(failure.getMessage()));
        }
        StackTraceElement[] trace = failure.getStackTrace();
        // The message of a foreign exception might quote a header; log only what cannot carry a secret.
        LOG.warn("unexpected {} at {}", failure.getClass().getName(), trace.length > 0 ? trace[0] : "(no trace)");
        return new ApiError(502, "BAD_GATEWAY", "the sandbox gateway failed to answer");
    }

    /** The error for a status set by Vert.x Web itself (body limit, no route, method). */
    static ApiError ofStatus(int status) {
        return switch (status) {
            case 400 -> new ApiError(400, "INVALID_REQUEST", "the request is malformed");
            case 401 -> UNAUTHORIZED;
            case 403 -> new ApiError(403, "FORBIDDEN", "this origin may not open the preview");
            case 404 -> notFound("no such route");
            case 405 -> new ApiError(405, "METHOD_NOT_ALLOWED", "method not allowed here");
            case 413 -> new ApiError(413, "TOO_LARGE", "the request body is larger than the limit");
            case 414 -> new ApiError(414, "URI_TOO_LONG", "the request line is longer than the limit");
            case 421 -> new ApiError(421, "MISDIRECTED_REQUEST", "this server does not serve the requested host");
            case 415 -> new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "unsupported content type");
            case 431 -> new ApiError(431, "HEADERS_TOO_LARGE", "the request headers are larger than the limit");
            case 429 -> new ApiError(429, "TOO_MANY_REQUESTS",
                    "too many failed authentications from this address: retry after the time Retry-After gives");
            default -> status >= 400 && status < 500 ? new ApiError(status, "INVALID_REQUEST", "the request was refused")
                    : new ApiError(502, "BAD_GATEWAY", "the sandbox gateway failed to answer");
        };
    }

    /**
     * This error as the sandbox API answers it: a name already used by a running process is a 400 there (the
     * machine code still says {@code CONFLICT}), everything else keeps its status.
     */
    ApiError forSandboxApi() {
        return status == 409 ? new ApiError(400, code, message, details) : this;
    }

    /** A refusal the broker decides itself, as {@code ctx.fail(...)} carries it to the failure handler. */
    static final class Refusal extends RuntimeException {
        private final transient ApiError error;

        Refusal(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /** The control plane's {@code _Error} shape. */
    JsonObject controlBody() {
        return details.copy().put("code", status).put("error", code).put("message", message);
    }

    /** The sandbox API's shape: the SDK shows {@code error}; {@code reason} is the stable machine code. */
    JsonObject dataBody() {
        return details.copy().put("error", message).put("code", status).put("reason", code);
    }
}
