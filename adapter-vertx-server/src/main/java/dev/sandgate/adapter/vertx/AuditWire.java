package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The audit trail on the wire, Sandgate's own extension of the control plane: an entry's JSON (the same in a query's
 * answer and in a webhook's body), a page {@code {"entries":[...],"nextCursor":...}}, and the query parameters of
 * {@code GET /v0/sandboxes/{name}/audit}.
 */
final class AuditWire {
    private static final Set<String> PARAMETERS = Set.of("session", "subject", "operation", "since", "limit",
            "cursor");

    private AuditWire() {
    }

    static JsonObject entry(AuditEntry e) {
        JsonObject json = new JsonObject()
                .put("id", e.id())
                .put("time", e.time().toString())
                .put("sandbox", e.sandbox().value())
                .put("session", e.session().value());
        e.subject().ifPresent(s -> json.put("subject", s.value()));
        json.put("credential", e.credential()).put("operation", e.operation());
        e.target().ifPresent(t -> json.put("target", t));
        json.put("status", e.status());
        e.code().ifPresent(c -> json.put("code", c));
        return json.put("client", e.client());
    }

    static JsonArray entries(List<AuditEntry> entries) {
        JsonArray array = new JsonArray();
        entries.forEach(e -> array.add(entry(e)));
        return array;
    }

    static JsonObject page(AuditPage page) {
        return new JsonObject().put("entries", entries(page.entries()))
                .put("nextCursor", page.nextCursor().orElse(null));
    }

    /** The query its parameters name; a bad or unknown one is an {@link IllegalArgumentException} (400). */
    static AuditQuery query(MultiMap params) {
        for (String name : params.names()) {
            if (!PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + printable(name) + "': one of session, "
                        + "subject, operation, since, limit, cursor");
            }
            if (params.getAll(name).size() > 1) {
                throw new IllegalArgumentException("parameter '" + name + "' is given more than once");
            }
        }
        AuditQuery query = AuditQuery.all();
        String session = params.get("session");
        if (session != null) {
            query = query.withSession(PreviewName.of(session));
        }
        String subject = params.get("subject");
        if (subject != null) {
            query = query.withSubject(SessionSubject.of(subject));
        }
        String operation = params.get("operation");
        if (operation != null) {
            query = query.withOperation(operation);
        }
        String since = params.get("since");
        if (since != null) {
            try {
                query = query.withSince(Instant.parse(since));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("since must be an ISO-8601 instant such as 2026-12-01T10:00:00Z");
            }
        }
        String limit = params.get("limit");
        if (limit != null) {
            try {
                query = query.withLimit(Integer.parseInt(limit));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit must be a number from 1 to " + AuditQuery.MAX_LIMIT);
            }
        }
        String cursor = params.get("cursor");
        return cursor == null ? query : query.after(cursor);
    }

    /** A cursor on the wire: what the store returned, as is. */
    static Optional<String> cursor(JsonObject page) {
        return Optional.ofNullable(page.getString("nextCursor"));
    }

    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
