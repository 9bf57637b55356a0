package dev.sandgate.adapter.redis;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.WebOrigin;
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
 * requests, {@code rs.<name>} to responses), and so are a session's terms ({@code sg.*}). The domain's validation runs again on every read.
 */
final class PreviewFields {
    private static final String REQUEST = "rq.";
    private static final String RESPONSE = "rs.";
    /** A session's scopes (Sandgate's own): absent for full scopes. Operation names and ports space-separated. */
    private static final String SCOPE_OPERATIONS = "sg.scope.ops";
    private static final String SCOPE_PORTS = "sg.scope.ports";
    private static final String SCOPE_PATH_COUNT = "sg.scope.paths";
    private static final String SCOPE_PATH = "sg.scope.path.";
    /** The other terms of a session (Sandgate's own), each absent for its default. */
    private static final String SUBJECT = "sg.subject";
    private static final String ORIGINS = "sg.origins";
    private static final String QUOTA_RPS = "sg.quota.rps";
    private static final String QUOTA_EXECS = "sg.quota.execs";
    private static final String QUOTA_STREAMS = "sg.quota.streams";
    private static final String MAX_EXPIRES = "sg.maxexpires";

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
        SessionScopes scopes = policy.scopes();
        if (!scopes.equals(SessionScopes.full())) {
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
        policy.subject().ifPresent(subject -> add(out, SUBJECT, subject.value()));
        if (!policy.origins().isEmpty()) { // an origin holds no space
            add(out, ORIGINS, String.join(" ", policy.origins().stream().map(WebOrigin::value).toList()));
        }
        policy.quotas().requestsPerSecond().ifPresent(n -> add(out, QUOTA_RPS, Integer.toString(n)));
        policy.quotas().concurrentExecs().ifPresent(n -> add(out, QUOTA_EXECS, Integer.toString(n)));
        policy.quotas().concurrentStreams().ifPresent(n -> add(out, QUOTA_STREAMS, Integer.toString(n)));
        policy.maxExpiresAt().ifPresent(max -> add(out, MAX_EXPIRES, max.toString()));
        return out;
    }

    /** The session policy in the fields; each term absent (records written before it existed): its default. */
    private static SessionPolicy policy(Map<String, String> f) {
        SessionPolicy.Builder b = SessionPolicy.builder();
        String operations = f.get(SCOPE_OPERATIONS);
        if (operations != null) {
            Optional<List<SandboxPath>> paths = Optional.ofNullable(f.get(SCOPE_PATH_COUNT)).map(n -> {
                List<SandboxPath> list = new ArrayList<>();
                for (int i = 0, count = Integer.parseInt(n); i < count; i++) {
                    list.add(SandboxPath.of(Objects.requireNonNull(f.get(SCOPE_PATH + i), "missing scope path")));
                }
                return list;
            });
            Optional<Set<Port>> ports = Optional.ofNullable(f.get(SCOPE_PORTS)).map(text -> words(text).stream()
                    .map(w -> Port.of(Integer.parseInt(w))).collect(Collectors.toSet()));
            b.scopes(new SessionScopes(SessionScopes.operationsNamed(words(operations)), paths, ports));
        }
        b.subject(Optional.ofNullable(f.get(SUBJECT)).map(SessionSubject::of));
        b.origins(words(f.getOrDefault(ORIGINS, "")).stream().map(WebOrigin::of).toList());
        b.quotas(new SessionQuotas(number(f, QUOTA_RPS), number(f, QUOTA_EXECS), number(f, QUOTA_STREAMS)));
        b.maxExpiresAt(Optional.ofNullable(f.get(MAX_EXPIRES)).map(Instant::parse));
        return b.build();
    }

    private static Optional<Integer> number(Map<String, String> f, String field) {
        return Optional.ofNullable(f.get(field)).map(Integer::parseInt);
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
