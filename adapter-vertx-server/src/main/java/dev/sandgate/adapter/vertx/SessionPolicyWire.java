package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.WireJson.invalid;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.WebOrigin;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sandgate's own extension of a preview body, a session's {@link SessionPolicy} (docs/wire-compatibility.md):
 * <pre>{@code
 * "sandgate": {"scopes": {"operations": ["fs:read"], "paths": ["/app"], "ports": [3000]},
 *              "subject": "user-42", "origins": ["https://app.example"],
 *              "quotas": {"requestsPerSecond": 20, "concurrentExecs": 2, "concurrentStreams": 4},
 *              "maxExpiresAt": "2026-12-02T18:00:00Z"}
 * }</pre>
 * Every member is optional and absent means its default: full scopes, no subject, any origin, the broker's quotas,
 * not renewable in place; absent {@code paths} or {@code ports}: any. Written only when the policy is not the default.
 */
final class SessionPolicyWire {
    static final String EXTENSION = "sandgate";

    private SessionPolicyWire() {
    }

    static JsonObject json(SessionPolicy policy) {
        JsonObject out = new JsonObject();
        SessionScopes s = policy.scopes();
        if (!s.isFull()) {
            JsonObject scopes = new JsonObject().put("operations", new JsonArray(s.operationNames()));
            s.paths().ifPresent(paths -> scopes.put("paths",
                    new JsonArray(paths.stream().map(SandboxPath::value).toList())));
            s.ports().ifPresent(ports -> scopes.put("ports",
                    new JsonArray(ports.stream().map(Port::value).sorted().toList())));
            out.put("scopes", scopes);
        }
        policy.subject().ifPresent(subject -> out.put("subject", subject.value()));
        if (!policy.origins().isEmpty()) {
            out.put("origins", new JsonArray(policy.origins().stream().map(WebOrigin::value).toList()));
        }
        SessionQuotas q = policy.quotas();
        if (!q.isDefaults()) {
            JsonObject quotas = new JsonObject();
            q.requestsPerSecond().ifPresent(n -> quotas.put("requestsPerSecond", n));
            q.concurrentExecs().ifPresent(n -> quotas.put("concurrentExecs", n));
            q.concurrentStreams().ifPresent(n -> quotas.put("concurrentStreams", n));
            out.put("quotas", quotas);
        }
        policy.maxExpiresAt().ifPresent(max -> out.put("maxExpiresAt", max.toString()));
        return out;
    }

    /** The policy a create or update body asks for; a malformed extension is a 400 naming the member. */
    static SessionPolicy policy(JsonObject body) {
        Object raw = body.getValue(EXTENSION);
        if (raw == null) {
            return SessionPolicy.DEFAULT;
        }
        if (!(raw instanceof JsonObject ext)) {
            throw invalid(EXTENSION + " must be an object");
        }
        SessionPolicy.Builder b = SessionPolicy.builder();
        Object rawScopes = ext.getValue("scopes");
        if (rawScopes != null) {
            if (!(rawScopes instanceof JsonObject scopes)) {
                throw invalid(EXTENSION + ".scopes must be an object");
            }
            b.scopes(scopes(scopes));
        }
        try {
            Object subject = ext.getValue("subject");
            if (subject != null) {
                if (!(subject instanceof String text)) {
                    throw invalid(EXTENSION + ".subject must be a string");
                }
                b.subject(SessionSubject.of(text));
            }
            if (ext.containsKey("origins")) {
                b.origins(strings(ext, "origins", "").stream().map(WebOrigin::of).toList());
            }
            Object quotas = ext.getValue("quotas");
            if (quotas != null) {
                if (!(quotas instanceof JsonObject q)) {
                    throw invalid(EXTENSION + ".quotas must be an object");
                }
                b.quotas(new SessionQuotas(number(q, "requestsPerSecond"), number(q, "concurrentExecs"),
                        number(q, "concurrentStreams")));
            }
            Object max = ext.getValue("maxExpiresAt");
            if (max != null) {
                if (!(max instanceof String text)) {
                    throw invalid(EXTENSION + ".maxExpiresAt must be an ISO-8601 instant");
                }
                b.maxExpiresAt(Instant.parse(text));
            }
            return b.build();
        } catch (DateTimeParseException bad) {
            throw invalid(EXTENSION + ".maxExpiresAt must be an ISO-8601 instant, like 2026-12-02T18:00:00Z");
        } catch (IllegalArgumentException bad) {
            throw invalid(EXTENSION + ": " + bad.getMessage());
        }
    }

    private static SessionScopes scopes(JsonObject scopes) {
        try {
            if (!scopes.containsKey("operations")) {
                throw invalid(EXTENSION + ".scopes.operations is required (e.g. [\"fs:read\"])");
            }
            List<String> ops = strings(scopes, "operations", "scopes.");
            Optional<List<SandboxPath>> paths = scopes.containsKey("paths")
                    ? Optional.of(strings(scopes, "paths", "scopes.").stream().map(SandboxPath::of).toList())
                    : Optional.empty();
            Optional<Set<Port>> ports = Optional.empty();
            if (scopes.containsKey("ports")) {
                Set<Port> set = new LinkedHashSet<>();
                for (Object o : array(scopes, "ports", "scopes.")) {
                    if (!(o instanceof Integer || o instanceof Long)) {
                        throw invalid(EXTENSION + ".scopes.ports must be an array of port numbers");
                    }
                    set.add(Port.of(((Number) o).intValue()));
                }
                ports = Optional.of(set);
            }
            return new SessionScopes(SessionScopes.operationsNamed(ops), paths, ports);
        } catch (IllegalArgumentException bad) {
            throw invalid(EXTENSION + ".scopes: " + bad.getMessage());
        }
    }

    private static Optional<Integer> number(JsonObject o, String key) {
        Object v = o.getValue(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Integer || v instanceof Long)) {
            throw invalid(EXTENSION + ".quotas." + key + " must be a whole number");
        }
        long n = ((Number) v).longValue();
        if (n < 1 || n > SessionQuotas.MAX) {
            throw invalid(EXTENSION + ".quotas." + key + " must be 1 to " + SessionQuotas.MAX);
        }
        return Optional.of((int) n);
    }

    private static JsonArray array(JsonObject o, String key, String parent) {
        Object v = o.getValue(key);
        if (v == null) {
            return new JsonArray();
        }
        if (!(v instanceof JsonArray a)) {
            throw invalid(EXTENSION + "." + parent + key + " must be an array");
        }
        return a;
    }

    private static List<String> strings(JsonObject o, String key, String parent) {
        List<String> out = new ArrayList<>();
        for (Object v : array(o, key, parent)) {
            if (!(v instanceof String text)) {
                throw invalid(EXTENSION + "." + parent + key + " must be an array of strings");
            }
            out.add(text);
        }
        return out;
    }
}
