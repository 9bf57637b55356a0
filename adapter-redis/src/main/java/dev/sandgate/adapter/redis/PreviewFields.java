package dev.sandgate.adapter.redis;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A preview as the fields of its Redis hash. Instants are ISO-8601 (exact to the nanosecond); {@code expms} repeats
 * the expiry in milliseconds for the scripts. Headers are fields of their own ({@code rq.<name>} added to forwarded
 * requests, {@code rs.<name>} to responses). The domain's validation runs again on every read.
 */
final class PreviewFields {
    private static final String REQUEST = "rq.";
    private static final String RESPONSE = "rs.";

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
        return out;
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
                    Optional.ofNullable(f.get("expires")).map(Instant::parse));
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
