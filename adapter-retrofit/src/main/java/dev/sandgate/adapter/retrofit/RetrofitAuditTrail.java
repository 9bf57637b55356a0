package dev.sandgate.adapter.retrofit;

import static dev.sandgate.adapter.retrofit.SandgateCallAdapterFactory.execute;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditTrail;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Sandgate broker's audit trail over HTTP ({@code GET /v0/sandboxes/{name}/audit}), with the API key. Entries are
 * validated again as they arrive: a malformed one is an {@code Unavailable} "malformed response", never a half entry.
 */
final class RetrofitAuditTrail implements AuditTrail {
    private final AuditApi api;

    RetrofitAuditTrail(AuditApi api) {
        this.api = api;
    }

    @Override
    public AuditPage query(SandboxName sandbox, AuditQuery query) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(query, "query must not be null");
        var call = api.audit(sandbox.value(), query.session().map(PreviewName::value).orElse(null),
                query.subject().map(SessionSubject::value).orElse(null), query.operation().orElse(null),
                query.since().map(Instant::toString).orElse(null), query.limit(), query.cursor().orElse(null));
        String what = call.request().method() + " " + call.request().url().encodedPath();
        return execute(call, page -> {
            try {
                List<AuditEntry> entries = page.entries() == null ? List.of()
                        : page.entries().stream().map(RetrofitAuditTrail::toDomain).toList();
                return new AuditPage(entries, Optional.ofNullable(page.nextCursor()));
            } catch (RuntimeException e) {
                throw SandgateCallAdapterFactory.malformed(what, e);
            }
        });
    }

    private static AuditEntry toDomain(AuditApi.Entry e) {
        return new AuditEntry(e.id(), Instant.parse(e.time()), SandboxName.of(e.sandbox()),
                PreviewName.of(e.session()), Optional.ofNullable(e.subject()).map(SessionSubject::of), e.credential(),
                e.operation(), Optional.ofNullable(e.target()), Objects.requireNonNull(e.status(), "status"),
                Optional.ofNullable(e.code()), e.client());
    }
}
