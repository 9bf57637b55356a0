package dev.sandgate.ports.audit;

import java.util.List;

/**
 * The driven port that keeps each sandbox's audit trail: entries appended in the order they come, read back with
 * filters and a cursor, within a {@link AuditRetention} the store enforces. Implementations: a file per sandbox
 * (adapter-local), a Redis stream per sandbox (adapter-redis). Blocking: the broker appends from a worker thread of its
 * own, never on a request's path.
 */
public interface AuditLog extends AuditTrail {
    /** Appends one entry to its sandbox's trail, whole or not at all. */
    void append(AuditEntry entry);

    /** Appends entries in order (a store may do it in fewer round trips). */
    default void append(List<AuditEntry> entries) {
        entries.forEach(this::append);
    }

    /** What is kept. */
    AuditRetention retention();
}
