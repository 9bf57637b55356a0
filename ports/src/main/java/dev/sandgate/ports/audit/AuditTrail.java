package dev.sandgate.ports.audit;

import dev.sandgate.domain.SandboxName;

/**
 * What the API-key holder reads of a sandbox's audit trail ({@link AuditLog} keeps it). Blocking: call it off an
 * event loop. A malformed or foreign cursor is an {@code InvalidRequest}; a store out of reach is
 * {@code StoreUnavailable}.
 */
@FunctionalInterface
public interface AuditTrail {
    /** The entries of {@code sandbox} that {@code query} selects, within the retention; empty for an unknown sandbox. */
    AuditPage query(SandboxName sandbox, AuditQuery query);
}
