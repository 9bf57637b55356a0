package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.usecase.PreviewTokens;
import dev.sandgate.ports.usecase.Sandboxes;
import dev.sandgate.ports.usecase.SandboxInstance;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The control plane under {@code /v0}: sandboxes, previews and preview tokens, with the bodies the SDK reads
 * (protocol sections b.0-b.4), mounted by {@link BrokerRoutes} behind the API key. What the Java API offers too
 * (create-if-not-exists, find by external id, naming a minted token) is the same use case ({@link Sandboxes},
 * {@link PreviewTokens}), not a second copy of it.
 */
final class ControlPlaneRoutes {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SandboxGateway gateway;
    private final Sandboxes sandboxes;
    private final UrlScheme urls;
    private final String workspace;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final ClientLimits limits;
    private final BrokerMeters meters;

    ControlPlaneRoutes(SandboxGateway gateway, Sandboxes sandboxes, UrlScheme urls, String workspace, Clock clock,
                       WorkerExecutor workers, ClientLimits limits, BrokerMeters meters) {
        this.meters = meters;
        this.gateway = gateway;
        this.sandboxes = sandboxes;
        this.urls = urls;
        this.workspace = workspace;
        this.clock = clock;
        this.workers = workers;
        this.limits = limits;
    }

    // ---- sandboxes ----

    /** {@code POST /v0/sandboxes[?createIfNotExist=true]}: 200 with the existing sandbox when it is reusable. */
    void createSandbox(RoutingContext ctx) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        boolean ifNotExists = "true".equalsIgnoreCase(ctx.request().getParam("createIfNotExist"));
        SandboxName name = SandboxName.of(WireJson.metadataName(body).orElseGet(() -> "sandbox-" + suffix()));
        SandboxSpec spec = SandboxWire.sandboxSpec(body, name, SandboxSpec.of(name));
        answer(ctx, () -> ifNotExists ? sandboxes.createIfNotExists(spec).sandbox() : gateway.createSandbox(spec),
                this::sandbox);
    }

    /** {@code GET /v0/sandboxes[?externalId=]}: a bare array. */
    void listSandboxes(RoutingContext ctx) {
        Optional<String> externalId = Optional.ofNullable(ctx.request().getParam("externalId"))
                .filter(id -> !id.isEmpty());
        answer(ctx, () -> sandboxes.list().stream().map(SandboxInstance::sandbox)
                .filter(s -> externalId.isEmpty() || s.spec().externalId().equals(externalId)).toList(),
                list -> WireJson.list(list.stream().map(this::sandbox).toList()));
    }

    void sandboxByExternalId(RoutingContext ctx) {
        String externalId = ctx.pathParam("externalId");
        answer(ctx, () -> sandboxes.getByExternalId(externalId).sandbox(), this::sandbox);
    }

    void getSandbox(RoutingContext ctx) {
        SandboxName name = sandboxName(ctx);
        answer(ctx, () -> found(gateway.findSandbox(name), "sandbox " + name), this::sandbox);
    }

    void updateSandbox(RoutingContext ctx) {
        SandboxName name = sandboxName(ctx);
        JsonObject body = WireJson.object(ctx.body().buffer());
        answer(ctx, () -> {
            Sandbox existing = found(gateway.findSandbox(name), "sandbox " + name);
            return gateway.updateSandbox(SandboxWire.sandboxSpec(body, name, existing.spec()));
        }, this::sandbox);
    }

    void deleteSandbox(RoutingContext ctx) {
        SandboxName name = sandboxName(ctx);
        answer(ctx, () -> sandboxes.delete(name), this::sandbox);
    }

    // ---- previews ----

    /** {@code POST /v0/sandboxes/{sb}/previews[?force=true]}: {@code force} replaces a preview of the same name. */
    void createPreview(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        JsonObject body = WireJson.object(ctx.body().buffer());
        boolean force = "true".equalsIgnoreCase(ctx.request().getParam("force"));
        PreviewName name = PreviewName.of(WireJson.metadataName(body).orElseGet(() -> "preview-" + suffix()));
        PreviewSpec spec = PreviewWire.previewSpec(body, name, clock.instant());
        answer(ctx, () -> {
            try {
                return named(sandboxes.previews(sandbox).create(spec));
            } catch (SandgateException.Conflict taken) {
                if (force) {
                    return named(gateway.updatePreview(sandbox, spec));
                }
                throw taken;
            }
        }, p -> preview(p, "DEPLOYED"));
    }

    void listPreviews(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        answer(ctx, () -> sandboxes.previews(sandbox).list().stream().map(this::named).toList(),
                list -> WireJson.list(list.stream().map(p -> preview(p, "DEPLOYED")).toList()));
    }

    void getPreview(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName preview = previewName(ctx);
        answer(ctx, () -> named(found(gateway.findPreview(sandbox, preview),
                "preview " + preview + " of sandbox " + sandbox)), p -> preview(p, "DEPLOYED"));
    }

    void updatePreview(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName name = previewName(ctx);
        PreviewSpec spec = PreviewWire.previewSpec(WireJson.object(ctx.body().buffer()), name, clock.instant());
        answer(ctx, () -> named(gateway.updatePreview(sandbox, spec)), p -> preview(p, "DEPLOYED"));
    }

    void deletePreview(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName preview = previewName(ctx);
        answer(ctx, () -> sandboxes.previews(sandbox).delete(preview), p -> {
            if (p.isSandboxApi()) {
                meters.sessionRevoked();
            }
            return preview(p, "DELETED");
        });
    }

    // ---- sessions (Sandgate's own) ----

    /**
     * {@code POST /v0/sandboxes/{sb}/sessions/revoke}, body {@code {"subject": "user-42"}} or none: revoke-all,
     * answered {@code {"revoked": <count>}}.
     */
    void revokeSessions(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        var raw = ctx.body().buffer();
        JsonObject body = raw == null || raw.length() == 0 ? new JsonObject() : WireJson.object(raw);
        Optional<SessionSubject> subject = Optional.ofNullable(WireJson.str(body, "subject", "subject"))
                .map(SessionSubject::of);
        answerRevoked(ctx, () -> gateway.revokeSessions(sandbox, subject));
    }

    /** Runs a revoke-all off the event loop, counts what it revoked in the metrics and answers the count. */
    private void answerRevoked(RoutingContext ctx, java.util.function.IntSupplier revoke) {
        answer(ctx, () -> {
            int revoked = revoke.getAsInt();
            for (int i = 0; i < revoked; i++) {
                meters.sessionRevoked();
            }
            return revoked;
        }, PreviewWire::revoked);
    }

    /**
     * {@code POST /v0/sessions/revoke}, body {@code {"subject": "user-42"}} (required): every session of that end user
     * in every sandbox of the workspace, answered {@code {"revoked": <count>}}.
     */
    void revokeSubject(RoutingContext ctx) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        String text = WireJson.str(body, "subject", "subject");
        if (text == null) {
            throw WireJson.invalid("subject is required: the end user whose sessions to revoke in every sandbox "
                    + "(to revoke every session of one sandbox, POST /v0/sandboxes/{sandbox}/sessions/revoke)");
        }
        SessionSubject subject = SessionSubject.of(text);
        answerRevoked(ctx, () -> sandboxes.revokeSessionsOf(subject));
    }

    /**
     * {@code POST /v0/sandboxes/{sb}/sessions/{session}/renew}, body {@code {"expiresAt": "<ISO-8601>"}}: renewal in
     * place, answered with the session's preview as {@code GET} answers it (its new {@code spec.expires}). A request
     * past the session's {@code maxExpiresAt} is clamped to it.
     */
    void renewSession(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName session = PreviewName.of(ctx.pathParam("session"));
        JsonObject body = WireJson.object(ctx.body().buffer());
        String text = WireJson.str(body, "expiresAt", "expiresAt");
        if (text == null) {
            throw WireJson.invalid("expiresAt is required: the instant (ISO-8601) the session should last until");
        }
        Instant expiresAt = WireJson.instant(text, "expiresAt");
        answer(ctx, () -> named(gateway.renewSession(sandbox, session, expiresAt)), p -> preview(p, "DEPLOYED"));
    }

    // ---- tokens ----

    /**
     * {@code POST …/tokens}: a token named by the body, else {@link TokenName#mintedAt} as the Java API names them;
     * at most so many a minute per sandbox ({@link ClientLimits#mintRefusedFor}: 429 with {@code Retry-After}).
     */
    void createToken(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName preview = previewName(ctx);
        JsonObject body = WireJson.object(ctx.body().buffer());
        Optional<TokenName> name = WireJson.metadataName(body).map(TokenName::of);
        Instant expiresAt = PreviewWire.tokenExpiry(body);
        var retry = limits.mintRefusedFor(sandbox.value());
        if (retry.isPresent()) {
            ctx.response().putHeader("Retry-After", Long.toString(retry.getAsLong()));
            ctx.fail(new ApiError.Refusal(new ApiError(429, "TOO_MANY_REQUESTS", "sandbox " + sandbox + " has had "
                    + "too many tokens minted this minute: retry after the time Retry-After gives")));
            return;
        }
        PreviewTokens tokens = sandboxes.previews(sandbox).tokens(preview);
        answer(ctx, () -> ofSession(sandbox, preview, name.isPresent() ? tokens.create(name.get(), expiresAt)
                : tokens.create(expiresAt), meters::sessionMinted), this::token);
    }

    void listTokens(RoutingContext ctx) {
        PreviewTokens tokens = sandboxes.previews(sandboxName(ctx)).tokens(previewName(ctx));
        answer(ctx, tokens::list, list -> WireJson.list(list.stream().map(this::token).toList()));
    }

    void deleteToken(RoutingContext ctx) {
        SandboxName sandbox = sandboxName(ctx);
        PreviewName preview = previewName(ctx);
        PreviewTokens tokens = sandboxes.previews(sandbox).tokens(preview);
        TokenName token = TokenName.of(ctx.pathParam("token"));
        answer(ctx, () -> ofSession(sandbox, preview, tokens.delete(token), meters::sessionRevoked), this::token);
    }

    // ---- shared ----

    /**
     * {@code done}, after running {@code count} when the preview is a session's (port 443). The preview is looked
     * up only when metrics are kept.
     */
    private <T> T ofSession(SandboxName sandbox, PreviewName preview, T done, Runnable count) {
        if (meters != BrokerMeters.NONE && gateway.findPreview(sandbox, preview).filter(Preview::isSandboxApi)
                .isPresent()) {
            count.run();
        }
        return done;
    }

    private JsonObject sandbox(Sandbox s) {
        return SandboxWire.sandbox(s, workspace, urls);
    }

    /**
     * Names a preview's URL on the worker thread, where the broker may open the preview's own origin and wait until
     * it listens; the answer, built on the event loop, then names an origin that is already served.
     */
    private Preview named(Preview p) {
        urls.previewUrl(p.sandbox(), p.name(), p.port());
        return p;
    }

    private JsonObject preview(Preview p, String status) {
        return PreviewWire.preview(p, workspace, urls, status);
    }

    private JsonObject token(PreviewToken t) {
        return PreviewWire.token(t, workspace, clock.instant());
    }

    /** Runs {@code call} on a worker, then answers 200 with the body {@code wire} maps its result to. */
    private <T> void answer(RoutingContext ctx, Callable<T> call, java.util.function.Function<T, Object> wire) {
        Exchange.blocking(workers, ctx, call, result -> Exchange.json(ctx, 200, wire.apply(result)));
    }

    private static SandboxName sandboxName(RoutingContext ctx) {
        return SandboxName.of(ctx.pathParam("sandbox"));
    }

    private static PreviewName previewName(RoutingContext ctx) {
        return PreviewName.of(ctx.pathParam("preview"));
    }

    private static <T> T found(Optional<T> value, String what) {
        return value.orElseThrow(() -> new SandgateException.NotFound(what + " not found"));
    }

    private static String suffix() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
