package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandgateException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The broker's wire mapping: domain values to the wire protocol's JSON bodies and back, with Vert.x's
 * {@link JsonObject}, one class per area ({@link SandboxWire}, {@link PreviewWire}, {@link ProcessWire},
 * {@link FileWire}) over what they share here: the body parser, typed field access, lists, acknowledgements and
 * NDJSON lines. Reading is strict about types (a string where a number belongs is a 400, never a 500) and lenient
 * about unknown and read-only fields, which it ignores. Routes build no JSON of their own: every body the broker
 * writes comes from these classes, and {@code BrokerWireFixturesTest} holds each one to the golden fixtures the Java
 * client reads too (the ports test-jar's {@code wire/}).
 */
final class WireJson {
    private WireJson() {
    }

    // ---- parsing the body ----

    /** The body as a JSON object; {@code InvalidRequest} for an empty body, malformed JSON or another JSON type. */
    static JsonObject object(Buffer body) {
        if (body == null || body.length() == 0) {
            throw new SandgateException.InvalidRequest("a JSON object body is required");
        }
        try {
            return new JsonObject(body);
        } catch (RuntimeException | StackOverflowError malformed) {
            throw new SandgateException.InvalidRequest("malformed JSON body: a JSON object is required");
        }
    }

    static Optional<String> metadataName(JsonObject body) {
        JsonObject metadata = obj(body, "metadata");
        return metadata == null ? Optional.empty() : Optional.ofNullable(str(metadata, "metadata.name", "name"));
    }

    /** A bare JSON array, as every list of the wire protocol is answered ({@code .map} is called on it). */
    static JsonArray list(List<JsonObject> items) {
        return new JsonArray(new ArrayList<>(items));
    }

    // ---- acknowledgements ----

    /** What a route that only acknowledges answers: {@code {"message":…}}. */
    static JsonObject message(String message) {
        return new JsonObject().put("message", message);
    }

    static JsonObject health() {
        return new JsonObject().put("status", "ok");
    }

    /** The keepalive line of the log and watch streams, which readers skip. */
    static Buffer keepaliveLine() {
        return Buffer.buffer("[keepalive]\n");
    }

    /** A JSON value as one NDJSON line. */
    static Buffer ndjson(JsonObject line) {
        return Buffer.buffer(line.encode() + "\n");
    }

    // ---- typed access that answers 400 instead of throwing ClassCastException ----

    static JsonObject obj(JsonObject o, String key) {
        return obj(o, key, key);
    }

    static JsonObject obj(JsonObject o, String what, String key) {
        return typed(o, what, key, JsonObject.class, "an object");
    }

    static JsonArray arr(JsonObject o, String what, String key) {
        return typed(o, what, key, JsonArray.class, "an array");
    }

    static String str(JsonObject o, String what, String key) {
        return typed(o, what, key, String.class, "a string");
    }

    static Boolean bool(JsonObject o, String what, String key) {
        return typed(o, what, key, Boolean.class, "true or false");
    }

    static Integer integer(JsonObject o, String what, String key) {
        Number n = typed(o, what, key, Number.class, "an integer");
        if (n == null) {
            return null;
        }
        if (n.doubleValue() != n.intValue()) {
            throw invalid(what + " must be an integer");
        }
        return n.intValue();
    }

    static Map<String, String> stringMap(JsonObject o, String what, String key) {
        JsonObject map = obj(o, what, key);
        if (map == null) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map) {
            if (!(e.getValue() instanceof String s)) {
                throw invalid(what + " must map names to strings");
            }
            result.put(e.getKey(), s);
        }
        return result;
    }

    static <T> T typed(JsonObject o, String what, String key, Class<T> type, String expected) {
        Object value = o.getValue(key);
        if (value == null) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw invalid(what + " must be " + expected);
        }
        return type.cast(value);
    }

    static Instant instant(String text, String what) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notIso) {
            throw invalid(what + " must be an ISO-8601 date-time such as 2026-11-24T09:00:00Z");
        }
    }

    static SandgateException.InvalidRequest invalid(String message) {
        return new SandgateException.InvalidRequest(message);
    }

    static <T> T orNotFound(Optional<T> value, Supplier<String> message) {
        return value.orElseThrow(() -> new SandgateException.NotFound(message.get()));
    }
}
