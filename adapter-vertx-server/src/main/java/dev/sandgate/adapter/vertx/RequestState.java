package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a request's first handler learns and later handlers need, as typed accessors over the
 * {@link RoutingContext}'s data: the error shape of its face, the sandbox it addresses, the grant it was let in
 * with, the CORS headers its answers carry, the session quotas it counts against and holds, and a multipart upload
 * read ahead of the body handler. Nothing else
 * travels between handlers.
 */
final class RequestState {
    /** The CORS headers of a session or preview URL's answers ({@code Map<String, String>}). */
    static final String CORS_KEY = "sandgate.cors";
    /** The {@link AccessDecision.Grant} a session or preview request was let in with. */
    static final String GRANT_KEY = "sandgate.grant";
    private static final String SANDBOX_API_KEY = "sandgate.sandboxApi";
    private static final String SANDBOX_KEY = "sandgate.sandbox";
    private static final String UPLOAD_KEY = "sandgate.upload";
    private static final String FORWARDED_KEY = "sandgate.forwarded";
    private static final String CLIENT_KEY = "sandgate.client";
    private static final String QUOTAS_KEY = "sandgate.quotas";
    private static final String HELD_KEY = "sandgate.held";
    private static final String ERROR_CODE_KEY = "sandgate.errorCode";

    private RequestState() {
    }

    /** Errors of this request are answered in the sandbox API's shape (the control plane's is the default). */
    static void answerAsSandboxApi(RoutingContext ctx) {
        ctx.put(SANDBOX_API_KEY, Boolean.TRUE);
    }

    static boolean answersAsSandboxApi(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(SANDBOX_API_KEY));
    }

    /**
     * Another broker of the cluster forwarded this request (its {@link ClusterCredential} checked). That broker
     * appended the address of its own client to {@code X-Forwarded-For} ({@link ClusterForwarder}), and this
     * credential is what makes that last entry trustworthy: it becomes {@link #clientAddress}. The entries before
     * it are whatever the client sent, and are never read.
     */
    static void forwarded(RoutingContext ctx) {
        ctx.put(FORWARDED_KEY, Boolean.TRUE);
        lastForwardedFor(ctx.request().headers().getAll("X-Forwarded-For")).ifPresent(c -> ctx.put(CLIENT_KEY, c));
    }

    /**
     * The address of the client the request is for: the connection's peer, or for a request a broker of the
     * cluster forwarded, that broker's client (the audit trail records it).
     */
    static String clientAddress(RoutingContext ctx) {
        String forwardedFor = ctx.get(CLIENT_KEY);
        return forwardedFor != null ? forwardedFor : Failures.address(ctx.request().connection().remoteAddress());
    }

    /** The last entry of {@code X-Forwarded-For} when it is an IP address as a broker writes one; else none. */
    static Optional<String> lastForwardedFor(List<String> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String last = values.get(values.size() - 1);
        String entry = last.substring(last.lastIndexOf(',') + 1).trim();
        if (entry.isEmpty() || entry.length() > 45) {
            return Optional.empty();
        }
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            boolean address = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == '.' || c == ':';
            if (!address) {
                return Optional.empty();
            }
        }
        return Optional.of(entry);
    }

    /** Whether another broker forwarded this request: it counts its client's failures, and is served here. */
    static boolean isForwarded(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(FORWARDED_KEY));
    }

    static void sandbox(RoutingContext ctx, SandboxName sandbox) {
        ctx.put(SANDBOX_KEY, Objects.requireNonNull(sandbox, "sandbox must not be null"));
    }

    /** The sandbox a data-plane request addresses; set by the face's access handler before any route runs. */
    static SandboxName sandbox(RoutingContext ctx) {
        SandboxName sandbox = ctx.get(SANDBOX_KEY);
        if (sandbox == null) {
            throw new IllegalStateException("no access handler named the sandbox of this request");
        }
        return sandbox;
    }

    static void grant(RoutingContext ctx, AccessDecision.Grant grant) {
        ctx.put(GRANT_KEY, Objects.requireNonNull(grant, "grant must not be null"));
    }

    static Optional<AccessDecision.Grant> grant(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(GRANT_KEY));
    }

    static void cors(RoutingContext ctx, Map<String, String> headers) {
        ctx.put(CORS_KEY, Objects.requireNonNull(headers, "headers must not be null"));
    }

    static Map<String, String> cors(RoutingContext ctx) {
        Map<String, String> headers = ctx.get(CORS_KEY);
        return headers == null ? Cors.DEFAULTS : headers;
    }

    /** The session whose quotas this request counts against (a session token's request only). */
    static void quotas(RoutingContext ctx, QuotaCheck.Terms terms) {
        ctx.put(QUOTAS_KEY, Objects.requireNonNull(terms, "terms must not be null"));
    }

    static Optional<QuotaCheck.Terms> quotas(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(QUOTAS_KEY));
    }

    /** The execs and streams this request holds of its session's quotas. */
    static void held(RoutingContext ctx, QuotaCheck.Held held) {
        ctx.put(HELD_KEY, Objects.requireNonNull(held, "held must not be null"));
    }

    static Optional<QuotaCheck.Held> held(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(HELD_KEY));
    }

    /** The machine code the failure handler answered this request with ({@link ApiError#code()}). */
    static void errorCode(RoutingContext ctx, String code) {
        ctx.put(ERROR_CODE_KEY, Objects.requireNonNull(code, "code must not be null"));
    }

    static Optional<String> errorCode(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(ERROR_CODE_KEY));
    }

    static void upload(RoutingContext ctx, byte[] file) {
        ctx.put(UPLOAD_KEY, file);
    }

    /** The {@code file} part of a multipart write, when the request was one. */
    static Optional<byte[]> upload(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(UPLOAD_KEY));
    }
}
