package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.PresentedToken;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * The first handler of each authenticated face ({@link BrokerRoutes}): it marks the face's error shape, refuses a
 * client over its failed-login limit (429), and lets the request in or not. The control plane and each sandbox's
 * {@code metadata.url} take the API key ({@link Credentials}); a session URL takes the API key or a token that the
 * {@link AccessDecision} accepts for exactly that port-443 preview. Preflights on session and preview URLs are
 * answered here without authentication, with the preview's CORS headers; a session bound to origins answers only
 * those ({@link Cors#headersFor(Preview, Optional)}) and refuses a request or preflight from any other with 403
 * {@code ORIGIN_NOT_ALLOWED}, a term of the session judged by the decision like its scopes.
 */
final class AccessHandlers {
    private final SandboxGateway gateway;
    private final AccessDecision decision;
    private final Credentials credentials;
    private final BrokerSettings settings;
    private final ClientLimits limits;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final QuotaCheck quotas;
    private final AuditRecorder audit;

    AccessHandlers(SandboxGateway gateway, AccessDecision decision, Credentials credentials, BrokerSettings settings,
                   ClientLimits limits, Clock clock, WorkerExecutor workers, QuotaCheck quotas) {
        this(gateway, decision, credentials, settings, limits, clock, workers, quotas, AuditRecorder.none());
    }

    /** With every use of a session whose preview exists recorded in {@code audit}, refusals included. */
    AccessHandlers(SandboxGateway gateway, AccessDecision decision, Credentials credentials, BrokerSettings settings,
                   ClientLimits limits, Clock clock, WorkerExecutor workers, QuotaCheck quotas, AuditRecorder audit) {
        this.quotas = quotas;
        this.audit = audit;
        this.gateway = gateway;
        this.decision = decision;
        this.credentials = credentials;
        this.settings = settings;
        this.limits = limits;
        this.clock = clock;
        this.workers = workers;
    }

    /** The session quotas the routes of the sandbox API hold ({@link QuotaCheck}). */
    QuotaCheck quotas() {
        return quotas;
    }

    /** {@code /v0/…}: the API key. */
    void controlPlane(RoutingContext ctx) {
        if (throttled(ctx)) {
            return;
        }
        if (!credentials.hasApiKey(ctx.request())) {
            ctx.fail(401);
            return;
        }
        ctx.next();
    }

    /** {@code /{workspace}/sandboxes/{sandbox}/…} (this broker's workspace): a valid name, and the API key. */
    void sandboxApi(RoutingContext ctx) {
        RequestState.answerAsSandboxApi(ctx);
        if (throttled(ctx)) {
            return;
        }
        Optional<SandboxName> sandbox = name(ctx.pathParam("sandbox"), SandboxName::of);
        if (sandbox.isEmpty()) {
            ctx.fail(404);
            return;
        }
        if (!credentials.hasApiKey(ctx.request())) {
            ctx.fail(401);
            return;
        }
        RequestState.sandbox(ctx, sandbox.get());
        ctx.next();
    }

    /**
     * {@code /s/{sandbox}/{preview}/…}: the API key, or a token valid now for exactly this port-443 preview of this
     * sandbox; only the API key when sessions are refused ({@link BrokerSettings#sessionRefusal()}: 403 with its
     * reason, token or not, and no token is looked up). The preview's CORS headers apply either way, so that a page
     * can read the answer. Once the session's preview is known, the request is recorded in the audit trail when its
     * answer ends ({@link AuditRecorder#watch}), whatever that answer is.
     */
    void session(RoutingContext ctx) {
        RequestState.answerAsSandboxApi(ctx);
        ctx.addHeadersEndHandler(v -> Cors.apply(ctx.response(), RequestState.cors(ctx)));
        if (throttled(ctx)) {
            return;
        }
        Optional<SandboxName> sandbox = name(ctx.pathParam("sandbox"), SandboxName::of);
        Optional<PreviewName> name = name(ctx.pathParam("preview"), PreviewName::of);
        if (sandbox.isEmpty() || name.isEmpty()) {
            ctx.fail(404);
            return;
        }
        ctx.request().pause();
        if (Cors.isPreflight(ctx.request())) {
            preflight(ctx, sandbox.get(), name.get());
            return;
        }
        Optional<String> origin = Cors.origin(ctx.request());
        boolean apiKey = credentials.hasApiKey(ctx.request());
        Optional<String> refusal = apiKey ? Optional.empty() : settings.sessionRefusal();
        if (refusal.isPresent()) {
            Exchange.blocking(workers, ctx, () -> gateway.findPreview(sandbox.get(), name.get()), preview -> {
                preview.filter(Preview::isSandboxApi).ifPresent(p -> {
                    RequestState.cors(ctx, Cors.headersFor(p, origin));
                    audit.watch(ctx, sandbox.get(), name.get(), p.spec().policy().subject(),
                            credential(false, Credentials.sessionToken(ctx.request())));
                });
                ctx.fail(new ApiError.Refusal(ApiError.sessionsRefused(refusal.get())));
            });
            return;
        }
        PresentedToken token = Credentials.sessionToken(ctx.request());
        Exchange.blocking(workers, ctx, () -> decision.session(sandbox.get(), name.get(), apiKey, token, origin,
                clock.instant()), outcome -> {
            outcome.preview().ifPresent(p -> {
                RequestState.cors(ctx, Cors.headersFor(p, origin));
                audit.watch(ctx, sandbox.get(), name.get(), p.spec().policy().subject(), credential(apiKey, token));
            });
            switch (outcome.verdict()) {
                case NOT_FOUND -> ctx.fail(404);
                case FORBIDDEN -> ctx.fail(403);
                case ORIGIN_NOT_ALLOWED -> ctx.fail(new ApiError.Refusal(ApiError.originNotAllowed()));
                case FORWARD, FORWARD_SETTING_COOKIE, REDIRECT -> {
                    RequestState.sandbox(ctx, sandbox.get());
                    RequestState.grant(ctx, outcome.grant().orElseThrow());
                    if (quotas.admit(ctx, outcome.preview().orElseThrow(), outcome.grant().get())) {
                        ctx.next();
                    }
                }
                default -> ctx.fail(401);
            }
        });
    }

    /**
     * Whether the client's address is over its limit of failed authentications ({@link ClientLimits}): then 429
     * with {@code Retry-After} is answered. Preflights carry no credentials and pass.
     */
    boolean throttled(RoutingContext ctx) {
        if (Cors.isPreflight(ctx.request()) || RequestState.isForwarded(ctx)) {
            return false;
        }
        // the connection's peer: Vert.x Web's request wrapper would parse Forwarded headers for it on every request
        // (1.4 % of the proxy's CPU) only to find that no router trusts them
        var retry = limits.retryAfterSeconds(Failures.address(ctx.request().connection().remoteAddress()));
        if (retry.isEmpty()) {
            return false;
        }
        ctx.response().putHeader("Retry-After", Long.toString(retry.getAsLong()));
        ctx.fail(429);
        return true;
    }

    /**
     * A CORS preflight on a session or preview URL: 204 with the preview's headers, 404 without the preview, and 403
     * {@code ORIGIN_NOT_ALLOWED} (without {@code Access-Control-Allow-Origin}) from an origin a session is not bound
     * to ({@link AccessDecision#originAllowed}).
     */
    void preflight(RoutingContext ctx, SandboxName sandbox, PreviewName name) {
        Optional<String> origin = Cors.origin(ctx.request());
        Exchange.blocking(workers, ctx, () -> gateway.findPreview(sandbox, name), preview -> {
            preview.ifPresent(p -> RequestState.cors(ctx, Cors.headersFor(p, origin)));
            Exchange.resume(ctx.request());
            if (preview.isEmpty()) {
                ctx.fail(404);
            } else if (!AccessDecision.originAllowed(preview.get(), origin)) {
                ctx.fail(new ApiError.Refusal(ApiError.originNotAllowed()));
            } else {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /** How a session URL's request authenticated, as its audit entry says: never the credential itself. */
    private static String credential(boolean apiKey, PresentedToken token) {
        return apiKey ? "api-key" : token instanceof PresentedToken.Token ? "token" : "none";
    }

    /** A name from a path parameter (the router decoded it), if it is a valid one. */
    static <T> Optional<T> name(String decoded, Function<String, T> parse) {
        try {
            return decoded == null ? Optional.empty() : Optional.of(parse.apply(decoded));
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }
}
