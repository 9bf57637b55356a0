package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.audit.AuditTrail;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /v0/sandboxes/{name}/audit} (Sandgate's own extension of the control plane, behind the API key like the
 * rest of {@code /v0}): a page of the sandbox's audit trail, {@code {"entries":[...],"nextCursor":...}}, filtered by
 * the query parameters {@link AuditWire#query} reads. The store is read on a worker. Without an audit trail, 404.
 */
final class AuditRoutes {
    private final Optional<AuditTrail> trail;
    private final WorkerExecutor workers;

    AuditRoutes(Optional<AuditTrail> trail, WorkerExecutor workers) {
        this.trail = trail;
        this.workers = workers;
    }

    static AuditRoutes none() {
        return new AuditRoutes(Optional.empty(), null);
    }

    void query(RoutingContext ctx) {
        if (trail.isEmpty()) {
            ctx.fail(new ApiError.Refusal(ApiError.notFound("this broker keeps no audit trail")));
            return;
        }
        SandboxName sandbox = SandboxName.of(ctx.pathParam("sandbox"));
        var query = AuditWire.query(ctx.queryParams());
        Exchange.blocking(workers, ctx, () -> trail.get().query(sandbox, query),
                page -> Exchange.json(ctx, 200, AuditWire.page(page)));
    }
}
