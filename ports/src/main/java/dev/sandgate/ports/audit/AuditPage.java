package dev.sandgate.ports.audit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A page of an audit trail, oldest first. {@link #nextCursor()} is present when the page is full: pass it to
 * {@link AuditQuery#after(String)} for the entries after these (a later call may find more as they are appended).
 */
public record AuditPage(List<AuditEntry> entries, Optional<String> nextCursor) {
    public AuditPage {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries must not be null"));
        Objects.requireNonNull(nextCursor, "nextCursor must not be null");
    }

    public static AuditPage empty() {
        return new AuditPage(List.of(), Optional.empty());
    }
}
