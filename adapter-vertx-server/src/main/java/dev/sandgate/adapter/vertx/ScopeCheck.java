package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The operation each route of the sandbox API performs, as {@link BrokerRoutes} declares it beside the route, and the
 * handler that asks the {@link AccessDecision} once whether the request's grant covers it: the scope, the sandbox path
 * the route names (read from the raw path exactly as the route itself reads it, so normalised the same way), and for
 * an exec its {@code workingDir} and {@code waitForPorts}. A refusal is a 403 {@code SCOPE_MISSING} that names the
 * scope, with the session's CORS headers (set by the face's access handler). A request let in without a grant (the
 * API key at a sandbox's own URL) and a grant with full scopes pass.
 */
final class ScopeCheck {
    private ScopeCheck() {
    }

    /** The route needs {@code scope} and names no path. */
    static Handler<RoutingContext> requires(SessionScopes.Operation scope) {
        return check(scope, ctx -> AccessDecision.Operation.of(scope));
    }

    /** The route needs {@code scope} on the sandbox path after its first {@code areaSegments} segments. */
    static Handler<RoutingContext> onPath(SessionScopes.Operation scope, int areaSegments) {
        return check(scope, ctx -> new AccessDecision.Operation(scope,
                List.of(RawPath.sandboxPath(FileRoutes.rawTail(ctx, areaSegments))), List.of()));
    }

    /**
     * {@code PUT /filesystem/…}: {@code fs:write} on the path written, which for {@code fs.writeTree} (a JSON body
     * with {@code files} under {@code /filesystem/tree/<dest>}) is {@code <dest>}, as {@link FileRoutes#write} reads it.
     */
    static Handler<RoutingContext> write() {
        SessionScopes.Operation scope = SessionScopes.Operation.FS_WRITE;
        return check(scope, ctx -> {
            String rawPath = FileRoutes.rawTail(ctx, 1);
            SandboxPath path = RawPath.sandboxPath(rawPath);
            if (RequestState.upload(ctx).isEmpty()
                    && FileWire.writeRequest(WireJson.object(ctx.body().buffer()), rawPath)
                    instanceof FileWire.WriteRequest.Tree tree) {
                path = tree.dest();
            }
            return new AccessDecision.Operation(scope, List.of(path), List.of());
        });
    }

    /** {@code POST /process}: {@code process:exec}, in its {@code workingDir} (default {@code /}), on its ports. */
    static Handler<RoutingContext> exec() {
        SessionScopes.Operation scope = SessionScopes.Operation.PROCESS_EXEC;
        return check(scope, ctx -> {
            ProcessSpec spec = ProcessWire.processSpec(WireJson.object(ctx.body().buffer()));
            return new AccessDecision.Operation(scope, List.of(spec.workingDir().orElse(SandboxPath.ROOT)),
                    spec.waitForPorts());
        });
    }

    /**
     * {@code /port/{port}} ({@code sandbox.fetch}): {@code process:read}, on that port. It reaches what a process of
     * the sandbox serves, so it needs the operation that reads processes, and the port must be one of the scopes'
     * {@code ports} (the ports a session may wait on are the ones it may reach; an absent {@code ports} allows any).
     */
    static Handler<RoutingContext> port() {
        SessionScopes.Operation scope = SessionScopes.Operation.PROCESS_READ;
        return check(scope, ctx -> new AccessDecision.Operation(scope, List.of(),
                List.of(PortProxy.port(PortProxy.rawPort(ctx)))));
    }

    private static Handler<RoutingContext> check(SessionScopes.Operation scope,
                                                 Function<RoutingContext, AccessDecision.Operation> operation) {
        return ctx -> {
            Optional<AccessDecision.Grant> grant = RequestState.grant(ctx);
            if (grant.isEmpty() || grant.get().scopes().isFull()) {
                ctx.next();
                return;
            }
            // The scope first, so that a session without it learns nothing from how its request was malformed.
            Optional<AccessDecision.ScopeRefusal> refusal = AccessDecision.permits(grant.get(),
                    AccessDecision.Operation.of(scope));
            if (refusal.isEmpty()) {
                refusal = AccessDecision.permits(grant.get(), operation.apply(ctx));
            }
            if (refusal.isPresent()) {
                ctx.fail(new ApiError.Refusal(ApiError.scopeMissing(refusal.get())));
                return;
            }
            ctx.next();
        };
    }
}
