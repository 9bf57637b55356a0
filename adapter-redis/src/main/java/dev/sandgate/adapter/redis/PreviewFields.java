package dev.sandgate.adapter.redis;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionScopes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A preview as the fields of its Redis hash. Instants are ISO-8601 (exact to the nanosecond); {@code expms} repeats
 * the expiry in milliseconds for the scripts. Headers are fields of their own ({@code rq.<name>} added to forwarded
 * requests, {@code rs.<name>} to responses), and so are a session's scopes ({@code sg.scope.*}). The domain's validation runs again on every read.
 */
final class PreviewFields {
    private static final String REQUEST = "rq.";
    private static final String RESPONSE = "rs.";
    /** A session's scopes (Sandgate's own): absent for full scopes. Operation names and ports space-separated. */
    private static final String SCOPE_OPERATIONS = "sg.scope.ops";
    private static final String SCOPE_PORTS = "sg.scope.ports";
    private static final String SCOPE_PATH_COUNT = "sg.scope.paths";
    private static final String SCOPE_PATH = "sg.scope.path.";

    private PreviewFields() {
    }

    /** Field, value, field, value... (without {@code seq}, which the script adds). */
    static List<String> of(Preview preview) {
        List<String> out = new ArrayList<>();
        add(out, "sandbox", preview.sandbox().value());
        add(out, "name", preview.name().value());
        add(out, "port", Integer.toString(preview.port().value()));
        add(out, "public", Boolean.toString(preview.isPublic()));
        add(out, "url", preview.url());
        add(out, "created", preview.createdAt().toString());
        preview.expires().ifPresent(e -> {
            add(out, "expires", e.toString());
        });
        preview.spec().requestHeaders().values().forEach((k, v) -> add(out, REQUEST + k, v));
        preview.spec().responseHeaders().values().forEach((k, v) -> add(out, RESPONSE + k, v));
        SessionPolicy policy = preview.spec().policy();
        if (!policy.isDefault()) {
            SessionScopes scopes = policy.scopes();
            add(out, SCOPE_OPERATIONS, String.join(" ", scopes.operationNames()));
            scopes.ports().ifPresent(ports -> add(out, SCOPE_PORTS, String.join(" ",
                    ports.stream().map(p -> Integer.toString(p.value())).sorted().toList())));
            scopes.paths().ifPresent(paths -> {
                add(out, SCOPE_PATH_COUNT, Integer.toString(paths.size()));
                for (int i = 0; i < paths.size(); i++) {
                    add(out, SCOPE_PATH + i, paths.get(i).value());
                }
            });
        }
        return out;
    }

    /** The session policy in the fields; none of them (records written before, or full scopes): the default. */
    private static SessionPolicy policy(Map<String, String> f) {
        String operations = f.get(SCOPE_OPERATIONS);
        if (operations == null) {
            return SessionPolicy.DEFAULT;
        }
        Optional<List<SandboxPath>> paths = Optional.ofNullable(f.get(SCOPE_PATH_COUNT)).map(n -> {
            List<SandboxPath> list = new ArrayList<>();
            for (int i = 0, count = Integer.parseInt(n); i < count; i++) {
                list.add(SandboxPath.of(Objects.requireNonNull(f.get(SCOPE_PATH + i), "missing scope path")));
            }
            return list;
        });
        Optional<Set<Port>> ports = Optional.ofNullable(f.get(SCOPE_PORTS)).map(text -> words(text).stream()
                .map(w -> Port.of(Integer.parseInt(w))).collect(Collectors.toSet()));
        return SessionPolicy.of(new SessionScopes(SessionScopes.operationsNamed(words(operations)), paths, ports));
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : List.of(text.trim().split(" "));
    }

    private static void add(List<String> out, String field, String value) {
        out.add(field);
        out.add(value);
    }

    /** The preview in a flat HGETALL answer; empty when there is none, or it is unreadable (fails closed). */
    static Optional<Preview> read(List<?> flat) {
        return read(asMap(flat));
    }

    /** A flat field, value, field, value... list as a map. */
    static Map<String, String> asMap(List<?> flat) {
        Map<String, String> f = new LinkedHashMap<>();
        if (flat != null) {
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                f.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
            }
        }
        return f;
    }

    /** The preview in an HGETALL answer; empty when there is none, or it is unreadable (fails closed). */
    static Optional<Preview> read(Map<String, String> f) {
        if (f == null || f.isEmpty()) {
            return Optional.empty();
        }
        try {
            Map<String, String> request = new LinkedHashMap<>();
            Map<String, String> response = new LinkedHashMap<>();
            f.forEach((k, v) -> {
                if (k.startsWith(REQUEST)) {
                    request.put(k.substring(REQUEST.length()), v);
                } else if (k.startsWith(RESPONSE)) {
                    response.put(k.substring(RESPONSE.length()), v);
                }
            });
            PreviewSpec spec = new PreviewSpec(PreviewName.of(f.get("name")), Port.of(Integer.parseInt(f.get("port"))),
                    Boolean.parseBoolean(f.get("public")), HttpHeaders.of(response), HttpHeaders.of(request),
                    Optional.ofNullable(f.get("expires")).map(Instant::parse), policy(f));
            return Optional.of(new Preview(SandboxName.of(f.get("sandbox")), spec, f.get("url"),
                    Instant.parse(f.get("created"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An instant in epoch milliseconds, rounded up, so that Redis never drops a record before it expires. */
    static long millisUp(Instant instant) {
        long ms = instant.toEpochMilli();
        return instant.getNano() % 1_000_000 == 0 ? ms : ms + 1;
    }
}
