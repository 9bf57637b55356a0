package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.ports.UrlScheme;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import static dev.sandgate.adapter.vertx.WireJson.*;

/**
 * The control plane's preview and preview-token bodies (protocol sections b.2-b.4). Part of the broker's wire mapping
 * ({@link WireJson}).
 */
final class PreviewWire {
    private PreviewWire() {
    }

    static final String RESOURCE_TYPE = "sandbox";
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd])");

    // ---- sessions (Sandgate's own) ----

    /** The answer to a revoke-all: {@code {"revoked": <count>}}. */
    static JsonObject revoked(int count) {
        return new JsonObject().put("revoked", count);
    }

    // ---- previews ----

    static JsonObject preview(Preview p, String workspace, UrlScheme urls, String status) {
        JsonObject spec = new JsonObject()
                .put("port", p.port().value())
                .put("public", p.isPublic())
                .put("url", urls.previewUrl(p.sandbox(), p.name(), p.port()))
                .put("requestHeaders", new JsonObject(new LinkedHashMap<>(p.spec().requestHeaders().values())))
                .put("responseHeaders", new JsonObject(new LinkedHashMap<>(p.spec().responseHeaders().values())));
        p.expires().ifPresent(e -> spec.put("expires", e.toString()));
        JsonObject out = new JsonObject()
                .put("metadata", new JsonObject()
                        .put("name", p.name().value())
                        .put("resourceName", p.sandbox().value())
                        .put("resourceType", RESOURCE_TYPE)
                        .put("workspace", workspace)
                        .put("createdAt", p.createdAt().toString())
                        .put("updatedAt", p.createdAt().toString()))
                .put("spec", spec)
                .put("status", status)
                .put("events", new JsonArray());
        if (!p.spec().policy().isDefault()) {
            out.put(SessionPolicyWire.EXTENSION, SessionPolicyWire.json(p.spec().policy()));
        }
        return out;
    }

    /** A preview spec from a create or update body; {@code name} wins over the body's own name. */
    static PreviewSpec previewSpec(JsonObject body, PreviewName name, Instant now) {
        JsonObject spec = obj(body, "spec");
        if (spec == null) {
            throw invalid("spec is required: give at least spec.port");
        }
        Object rawPort = spec.getValue("port");
        if (rawPort != null && !(rawPort instanceof Integer || rawPort instanceof Long
                || rawPort instanceof java.math.BigInteger)) {
            // 8080.0 is a number, not a port.
            throw invalid("spec.port must be an integer");
        }
        Integer port = integer(spec, "spec.port", "port");
        if (port == null) {
            throw invalid("spec.port is required");
        }
        Boolean isPublic = bool(spec, "spec.public", "public");
        HttpHeaders response = HttpHeaders.of(stringMap(spec, "spec.responseHeaders", "responseHeaders"));
        HttpHeaders request = HttpHeaders.of(stringMap(spec, "spec.requestHeaders", "requestHeaders"));
        Optional<Instant> expires = Optional.ofNullable(str(spec, "spec.expires", "expires"))
                .filter(s -> !s.isEmpty())
                .map(s -> instant(s, "spec.expires"));
        if (expires.isEmpty()) {
            expires = Optional.ofNullable(str(spec, "spec.ttl", "ttl")).filter(s -> !s.isEmpty())
                    .map(t -> now.plus(ttl(t)));
        }
        return new PreviewSpec(name, Port.of(port), Boolean.TRUE.equals(isPublic), response, request, expires,
                SessionPolicyWire.policy(body));
    }

    // ---- tokens ----

    static JsonObject token(PreviewToken t, String workspace, Instant now) {
        return new JsonObject()
                .put("metadata", new JsonObject()
                        .put("name", t.name().value())
                        .put("previewName", t.preview().value())
                        .put("resourceName", t.sandbox().value())
                        .put("resourceType", RESOURCE_TYPE)
                        .put("workspace", workspace))
                .put("spec", new JsonObject()
                        .put("token", t.value().value())
                        .put("expiresAt", t.expiresAt().toString())
                        .put("expired", t.isExpiredAt(now)));
    }

    /** {@code spec.expiresAt} of a token body (ISO-8601), required. */
    static Instant tokenExpiry(JsonObject body) {
        JsonObject spec = obj(body, "spec");
        String text = spec == null ? null : str(spec, "spec.expiresAt", "expiresAt");
        if (text == null || text.isEmpty()) {
            throw invalid("spec.expiresAt is required (ISO-8601)");
        }
        return instant(text, "spec.expiresAt");
    }

    private static Duration ttl(String text) {
        Matcher m = TTL.matcher(text);
        if (!m.matches()) {
            throw invalid("spec.ttl must look like 30s, 15m, 1h or 2d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
