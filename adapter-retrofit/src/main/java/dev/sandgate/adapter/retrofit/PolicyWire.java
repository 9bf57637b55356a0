package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.WebOrigin;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A session's {@link SessionPolicy} as Sandgate's {@code sandgate} extension of a preview body, both ways. */
final class PolicyWire {
    private PolicyWire() {
    }

    /** {@code null} (nothing written) for the default policy, which is all the wire protocol itself knows. */
    static Wire.Sandgate toWire(SessionPolicy policy) {
        if (policy.isDefault()) {
            return null;
        }
        SessionScopes s = policy.scopes();
        Wire.Scopes scopes = s.isFull() ? null : new Wire.Scopes(s.operationNames(),
                s.paths().map(ps -> ps.stream().map(SandboxPath::value).toList()).orElse(null),
                s.ports().map(ps -> ps.stream().map(Port::value).sorted().toList()).orElse(null));
        SessionQuotas q = policy.quotas();
        Wire.Quotas quotas = q.isDefaults() ? null : new Wire.Quotas(q.requestsPerSecond().orElse(null),
                q.concurrentExecs().orElse(null), q.concurrentStreams().orElse(null));
        return new Wire.Sandgate(scopes, policy.subject().map(SessionSubject::value).orElse(null),
                policy.origins().isEmpty() ? null : policy.origins().stream().map(WebOrigin::value).toList(),
                quotas, policy.maxExpiresAt().orElse(null));
    }

    static SessionPolicy toDomain(Wire.Sandgate sandgate) {
        if (sandgate == null) {
            return SessionPolicy.DEFAULT;
        }
        SessionPolicy.Builder b = SessionPolicy.builder();
        Wire.Scopes s = sandgate.scopes();
        if (s != null) {
            b.scopes(new SessionScopes(
                    SessionScopes.operationsNamed(s.operations() == null ? List.of() : s.operations()),
                    Optional.ofNullable(s.paths()).map(ps -> ps.stream().map(SandboxPath::of).toList()),
                    Optional.ofNullable(s.ports()).map(ps -> ps.stream().map(Port::of).collect(Collectors.toSet()))));
        }
        b.subject(Optional.ofNullable(sandgate.subject()).map(SessionSubject::of));
        if (sandgate.origins() != null) {
            b.origins(sandgate.origins().stream().map(WebOrigin::of).toList());
        }
        Wire.Quotas q = sandgate.quotas();
        if (q != null) {
            b.quotas(new SessionQuotas(Optional.ofNullable(q.requestsPerSecond()),
                    Optional.ofNullable(q.concurrentExecs()), Optional.ofNullable(q.concurrentStreams())));
        }
        b.maxExpiresAt(Optional.ofNullable(sandgate.maxExpiresAt()));
        return b.build();
    }
}
