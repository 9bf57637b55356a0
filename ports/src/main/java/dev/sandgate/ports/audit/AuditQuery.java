package dev.sandgate.ports.audit;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SessionSubject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which entries of one sandbox's audit trail to read: those of a session, of a subject, of an operation, at or after
 * an instant (each filter optional, all of them applying), oldest first, at most {@link #limit()} of them, after the
 * {@link #cursor()} a previous {@link AuditPage} returned.
 *
 * @param cursor where the previous page ended (opaque: as {@link AuditPage#nextCursor()} gave it)
 */
public record AuditQuery(Optional<PreviewName> session, Optional<SessionSubject> subject, Optional<String> operation,
                         Optional<Instant> since, int limit, Optional<String> cursor) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        Objects.requireNonNull(session, "session must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(operation, "operation must not be null");
        Objects.requireNonNull(since, "since must not be null");
        Objects.requireNonNull(cursor, "cursor must not be null");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is out of range 1-" + MAX_LIMIT);
        }
        operation.ifPresent(o -> requireLength(o, 32, "operation"));
        cursor.ifPresent(c -> requireLength(c, 128, "cursor"));
    }

    private static void requireLength(String value, int max, String what) {
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(what + " must be 1-" + max + " characters");
        }
    }

    /** Every entry, the first {@value #DEFAULT_LIMIT}. */
    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_LIMIT,
                Optional.empty());
    }

    public AuditQuery withSession(PreviewName session) {
        return new AuditQuery(Optional.of(session), subject, operation, since, limit, cursor);
    }

    public AuditQuery withSubject(SessionSubject subject) {
        return new AuditQuery(session, Optional.of(subject), operation, since, limit, cursor);
    }

    /** {@link #withSubject(SessionSubject)} from a string. */
    public AuditQuery withSubject(String subject) {
        return withSubject(SessionSubject.of(subject));
    }

    public AuditQuery withOperation(String operation) {
        return new AuditQuery(session, subject, Optional.of(operation), since, limit, cursor);
    }

    public AuditQuery withSince(Instant since) {
        return new AuditQuery(session, subject, operation, Optional.of(since), limit, cursor);
    }

    public AuditQuery withLimit(int limit) {
        return new AuditQuery(session, subject, operation, since, limit, cursor);
    }

    /** The next page: this query after {@code cursor}. */
    public AuditQuery after(String cursor) {
        return new AuditQuery(session, subject, operation, since, limit, Optional.of(cursor));
    }

    /** Whether {@code entry} passes the filters (not the cursor nor the limit). */
    public boolean matches(AuditEntry entry) {
        return session.map(s -> s.equals(entry.session())).orElse(true)
                && subject.map(s -> entry.subject().filter(s::equals).isPresent()).orElse(true)
                && operation.map(o -> o.equals(entry.operation())).orElse(true)
                && since.map(t -> !entry.time().isBefore(t)).orElse(true);
    }
}
