package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The control plane under {@code /v0}: sandboxes, previews and preview tokens, with the bodies the SDK reads
 * (protocol sections b.0-b.4). The caller has already been authenticated with the API key.
 *
 * <pre>
 * POST   /v0/sandboxes[?createIfNotExist=true]        GET /v0/sandboxes (bare array)
 * GET|PUT|DELETE /v0/sandboxes/{sb}
 * GET    /v0/sandboxes[?externalId=]                   GET /v0/sandboxes/by-external-id/{id}
 * POST   /v0/sandboxes/{sb}/previews[?force=true]     GET /v0/sandboxes/{sb}/previews (bare array)
 * GET|PUT|DELETE /v0/sandboxes/{sb}/previews/{p}
 * POST|GET /v0/sandboxes/{sb}/previews/{p}/tokens     DELETE /v0/sandboxes/{sb}/previews/{p}/tokens/{t}
 * </pre>
 */
final class ControlPlane {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SandboxGateway gateway;
    private final UrlScheme urls;
    private final String workspace;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final ClientLimits limits;

    ControlPlane(SandboxGateway gateway, UrlScheme urls, String workspace, Clock clock, WorkerExecutor workers,
                 ClientLimits limits) {
        this.gateway = gateway;
        this.urls = urls;
        this.workspace = workspace;
        this.clock = clock;
        this.workers = workers;
        this.limits = limits;
    }

    /** {@code segments} are the raw path segments after {@code v0}. */
    void handle(RoutingContext ctx, List<String> segments) {
        HttpMethod method = ctx.request().method();
        int n = segments.size();
        if (n == 0 || !segments.get(0).equals("sandboxes")) {
            ctx.fail(404);
            return;
        }
        if (n == 1) {
            if (method == HttpMethod.POST) {
                createSandbox(ctx);
            } else if (method == HttpMethod.GET) {
                Optional<String> externalId = Optional.ofNullable(ctx.request().getParam("externalId"))
                        .filter(id -> !id.isEmpty());
                blocking(ctx, gateway::listSandboxes, list -> ok(ctx, WireJson.list(list.stream()
                        .filter(s -> externalId.isEmpty() || s.spec().externalId().equals(externalId))
                        .map(this::sandbox).toList())));
            } else {
                ctx.fail(405);
            }
            return;
        }
        if (n == 3 && segments.get(1).equals("by-external-id") && method == HttpMethod.GET) {
            String externalId = RawPath.decode(segments.get(2));
            blocking(ctx, () -> gateway.listSandboxes().stream()
                    .filter(s -> s.spec().externalId().filter(externalId::equals).isPresent())
                    .findFirst()
                    .orElseThrow(() -> new SandgateException.NotFound("no sandbox has external id '"
                            + (externalId.length() > 100 ? externalId.substring(0, 100) + "…" : externalId) + "'")),
                    s -> ok(ctx, sandbox(s)));
            return;
        }
        SandboxName sandbox = SandboxName.of(RawPath.decode(segments.get(1)));
        if (n == 2) {
            switch (method.name()) {
                case "GET" -> blocking(ctx, () -> found(gateway.findSandbox(sandbox), "sandbox " + sandbox),
                        s -> ok(ctx, sandbox(s)));
                case "PUT" -> updateSandbox(ctx, sandbox);
                case "DELETE" -> blocking(ctx, () -> gateway.deleteSandbox(sandbox), s -> ok(ctx, sandbox(s)));
                default -> ctx.fail(405);
            }
            return;
        }
        if (!segments.get(2).equals("previews")) {
            ctx.fail(404);
            return;
        }
        if (n == 3) {
            if (method == HttpMethod.POST) {
                createPreview(ctx, sandbox);
            } else if (method == HttpMethod.GET) {
                blocking(ctx, () -> gateway.listPreviews(sandbox).stream().map(this::named).toList(),
                        list -> ok(ctx, WireJson.list(list.stream().map(p -> preview(p, "DEPLOYED")).toList())));
            } else {
                ctx.fail(405);
            }
            return;
        }
        PreviewName preview = PreviewName.of(RawPath.decode(segments.get(3)));
        if (n == 4) {
            switch (method.name()) {
                case "GET" -> blocking(ctx, () -> named(found(gateway.findPreview(sandbox, preview),
                        "preview " + preview + " of sandbox " + sandbox)), p -> ok(ctx, preview(p, "DEPLOYED")));
                case "PUT" -> updatePreview(ctx, sandbox, preview);
                case "DELETE" -> blocking(ctx, () -> gateway.deletePreview(sandbox, preview),
                        p -> ok(ctx, preview(p, "DELETED")));
                default -> ctx.fail(405);
            }
            return;
        }
        if (!segments.get(4).equals("tokens") || n > 6) {
            ctx.fail(404);
            return;
        }
        if (n == 5) {
            if (method == HttpMethod.POST) {
                createToken(ctx, sandbox, preview);
            } else if (method == HttpMethod.GET) {
                blocking(ctx, () -> gateway.listTokens(sandbox, preview),
                        list -> ok(ctx, WireJson.list(list.stream().map(this::token).toList())));
            } else {
                ctx.fail(405);
            }
            return;
        }
        TokenName token = TokenName.of(RawPath.decode(segments.get(5)));
        if (method == HttpMethod.DELETE) {
            blocking(ctx, () -> gateway.deleteToken(sandbox, preview, token), t -> ok(ctx, token(t)));
        } else {
            ctx.fail(405);
        }
    }

    private void createSandbox(RoutingContext ctx) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        boolean ifNotExists = "true".equalsIgnoreCase(ctx.request().getParam("createIfNotExist"));
        SandboxName name = SandboxName.of(WireJson.metadataName(body).orElseGet(ControlPlane::generatedName));
        SandboxSpec spec = WireJson.sandboxSpec(body, name, SandboxSpec.of(name));
        blocking(ctx, () -> ifNotExists ? createIfNotExists(spec) : gateway.createSandbox(spec),
                s -> ok(ctx, sandbox(s)));
    }

    /**
     * {@code ?createIfNotExist=true}: 200 with the existing sandbox when it is reusable, else a new one in place of
     * one that is not (the SDK's own rule), and never 409: newer SDKs do not retry. A concurrent creator's sandbox
     * is answered as the existing one.
     */
    private Sandbox createIfNotExists(SandboxSpec spec) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Sandbox> existing = gateway.findSandbox(spec.name());
            if (existing.isPresent() && existing.get().status().isReusable()) {
                return existing.get();
            }
            if (existing.isPresent()) {
                gateway.deleteSandbox(spec.name());
            }
            try {
                return gateway.createSandbox(spec);
            } catch (SandgateException.Conflict raced) {
                // created meanwhile by another request: read it again
            }
        }
        throw new SandgateException.Unavailable("sandbox " + spec.name() + " keeps changing; try again");
    }

    private void updateSandbox(RoutingContext ctx, SandboxName name) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        blocking(ctx, () -> {
            Sandbox existing = found(gateway.findSandbox(name), "sandbox " + name);
            return gateway.updateSandbox(WireJson.sandboxSpec(body, name, existing.spec()));
        }, s -> ok(ctx, sandbox(s)));
    }

    private void createPreview(RoutingContext ctx, SandboxName sandbox) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        boolean force = "true".equalsIgnoreCase(ctx.request().getParam("force"));
        PreviewName name = PreviewName.of(WireJson.metadataName(body).orElseGet(() -> "preview-" + suffix()));
        PreviewSpec spec = WireJson.previewSpec(body, name, clock.instant());
        blocking(ctx, () -> {
            try {
                return named(gateway.createPreview(sandbox, spec));
            } catch (SandgateException.Conflict taken) {
                if (force) {
                    return named(gateway.updatePreview(sandbox, spec));
                }
                throw taken;
            }
        }, p -> ok(ctx, preview(p, "DEPLOYED")));
    }

    private void updatePreview(RoutingContext ctx, SandboxName sandbox, PreviewName name) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        PreviewSpec spec = WireJson.previewSpec(body, name, clock.instant());
        blocking(ctx, () -> named(gateway.updatePreview(sandbox, spec)), p -> ok(ctx, preview(p, "DEPLOYED")));
    }

    private void createToken(RoutingContext ctx, SandboxName sandbox, PreviewName preview) {
        JsonObject body = WireJson.object(ctx.body().buffer());
        TokenName name = TokenName.of(WireJson.metadataName(body)
                .orElseGet(() -> "token-" + clock.instant().toEpochMilli()));
        var expiresAt = WireJson.tokenExpiry(body);
        var retry = limits.mintRefusedFor(sandbox.value());
        if (retry.isPresent()) {
            ctx.response().putHeader("Retry-After", Long.toString(retry.getAsLong()));
            Exchange.json(ctx, 429, new ApiError(429, "TOO_MANY_REQUESTS", "sandbox " + sandbox + " has had "
                    + "too many tokens minted this minute: retry after the time Retry-After gives").controlBody());
            return;
        }
        blocking(ctx, () -> gateway.createToken(sandbox, preview, name, expiresAt), t -> ok(ctx, token(t)));
    }

    private JsonObject sandbox(Sandbox s) {
        return WireJson.sandbox(s, workspace, urls);
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
        return WireJson.preview(p, workspace, urls, status);
    }

    private JsonObject token(PreviewToken t) {
        return WireJson.token(t, workspace, clock.instant());
    }

    private <T> void blocking(RoutingContext ctx, java.util.concurrent.Callable<T> call,
                              java.util.function.Consumer<T> then) {
        Exchange.blocking(workers, ctx, call, then);
    }

    private static void ok(RoutingContext ctx, Object body) {
        Exchange.json(ctx, 200, body);
    }

    private static <T> T found(Optional<T> value, String what) {
        return value.orElseThrow(() -> new SandgateException.NotFound(what + " not found"));
    }

    private static String generatedName() {
        return "sandbox-" + suffix();
    }

    private static String suffix() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
