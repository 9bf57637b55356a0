package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.UrlScheme;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that maps domain values to the wire protocol's JSON bodies and back, with Vert.x's
 * {@link JsonObject}. Reading is strict about types (a string where a number belongs is a 400, never a 500) and
 * lenient about unknown and read-only fields, which it ignores. Routes build no JSON of their own: every body the
 * broker writes comes from here, and {@code BrokerWireFixturesTest} holds each one to the golden fixtures the Java
 * client reads too (the ports test-jar's {@code wire/}).
 *
 * <p>Longer than our usual ~400 lines on purpose: it is the broker's whole wire mapping, one section per body, and
 * splitting it would scatter what the fixtures check together.
 */
final class WireJson {
    static final String RESOURCE_TYPE = "sandbox";
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd])");

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

    // ---- sandboxes ----

    static JsonObject sandbox(Sandbox s, String workspace, UrlScheme urls) {
        JsonObject runtime = new JsonObject()
                .put("image", s.image())
                .put("memory", s.memoryMb())
                .put("ports", new JsonArray(s.ports().stream().map(p -> {
                    JsonObject port = new JsonObject();
                    p.name().ifPresent(n -> port.put("name", n));
                    return port.put("target", p.target().value()).put("protocol", p.protocol());
                }).toList()))
                .put("envs", new JsonArray(s.envs().stream()
                        .map(e -> new JsonObject().put("name", e.name()).put("value", e.value())).toList()));
        JsonObject metadata = new JsonObject()
                .put("name", s.name().value())
                .put("workspace", workspace)
                .put("url", urls.sandboxUrl(s.name()))
                .put("labels", new JsonObject(new LinkedHashMap<>(s.labels())));
        s.spec().externalId().ifPresent(id -> metadata.put("externalId", id));
        s.spec().displayName().ifPresent(n -> metadata.put("displayName", n));
        return new JsonObject()
                .put("metadata", metadata
                        .put("createdAt", s.createdAt().toString())
                        .put("updatedAt", s.updatedAt().toString()))
                .put("spec", new JsonObject().put("runtime", runtime))
                .put("status", s.status().name())
                .put("events", new JsonArray());
    }

    /**
     * A sandbox spec from a create or update body. Absent fields come from {@code base} (the existing sandbox on
     * update, the wire protocol's defaults on create).
     */
    static SandboxSpec sandboxSpec(JsonObject body, SandboxName name, SandboxSpec base) {
        JsonObject metadata = obj(body, "metadata");
        JsonObject spec = obj(body, "spec");
        JsonObject runtime = spec == null ? null : obj(spec, "spec.runtime", "runtime");
        SandboxSpec result = base;
        if (metadata != null && metadata.containsKey("labels") && metadata.getValue("labels") != null) {
            result = result.withLabels(stringMap(metadata, "metadata.labels", "labels"));
        }
        if (metadata != null) {
            String externalId = str(metadata, "metadata.externalId", "externalId");
            if (externalId != null && !externalId.isEmpty()) {
                result = result.withExternalId(externalId);
            }
            String displayName = str(metadata, "metadata.displayName", "displayName");
            if (displayName != null && !displayName.isEmpty()) {
                result = result.withDisplayName(displayName);
            }
        }
        if (runtime != null) {
            String image = str(runtime, "spec.runtime.image", "image");
            if (image != null) {
                result = result.withImage(image);
            }
            Integer memory = integer(runtime, "spec.runtime.memory", "memory");
            if (memory != null) {
                result = result.withMemoryMb(memory);
            }
            JsonArray ports = arr(runtime, "spec.runtime.ports", "ports");
            if (ports != null) {
                List<PortSpec> list = new ArrayList<>();
                for (Object o : ports) {
                    if (!(o instanceof JsonObject p)) {
                        throw invalid("spec.runtime.ports must hold objects with a numeric target");
                    }
                    Integer target = integer(p, "ports[].target", "target");
                    if (target == null) {
                        throw invalid("spec.runtime.ports[].target is required");
                    }
                    String protocol = str(p, "ports[].protocol", "protocol");
                    list.add(new PortSpec(Optional.ofNullable(str(p, "ports[].name", "name")), Port.of(target),
                            protocol == null ? "HTTP" : protocol));
                }
                result = result.withPorts(list);
            }
            JsonArray envs = arr(runtime, "spec.runtime.envs", "envs");
            if (envs != null) {
                List<EnvVar> list = new ArrayList<>();
                for (Object o : envs) {
                    if (!(o instanceof JsonObject e)) {
                        throw invalid("spec.runtime.envs must hold {name, value} objects");
                    }
                    String value = str(e, "envs[].value", "value");
                    list.add(new EnvVar(str(e, "envs[].name", "name"), value == null ? "" : value));
                }
                result = result.withEnvs(list);
            }
        }
        return new SandboxSpec(name, result.image(), result.memoryMb(), result.ports(), result.envs(), result.labels(),
                result.externalId(), result.displayName());
    }

    /** {@code metadata.name} of a body, if given. */
    static Optional<String> metadataName(JsonObject body) {
        JsonObject metadata = obj(body, "metadata");
        return metadata == null ? Optional.empty() : Optional.ofNullable(str(metadata, "metadata.name", "name"));
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
        return new JsonObject()
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
        return new PreviewSpec(name, Port.of(port), Boolean.TRUE.equals(isPublic), response, request, expires);
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

    // ---- processes ----

    static ProcessSpec processSpec(JsonObject body) {
        String command = str(body, "command", "command");
        if (command == null) {
            throw invalid("command is required");
        }
        Optional<ProcessName> name = Optional.ofNullable(str(body, "name", "name")).filter(n -> !n.isEmpty())
                .map(ProcessName::of);
        Optional<SandboxPath> workingDir = Optional.ofNullable(str(body, "workingDir", "workingDir"))
                .filter(d -> !d.isEmpty()).map(SandboxPath::of);
        Map<String, String> env = stringMap(body, "env", "env");
        List<Port> ports = new ArrayList<>();
        JsonArray wait = arr(body, "waitForPorts", "waitForPorts");
        if (wait != null) {
            for (Object o : wait) {
                if (!(o instanceof Number n) || n.doubleValue() != n.intValue()) {
                    throw invalid("waitForPorts must hold port numbers");
                }
                ports.add(Port.of(n.intValue()));
            }
        }
        Integer timeout = integer(body, "timeout", "timeout");
        if (timeout != null && timeout < 0) {
            throw invalid("timeout " + timeout + " must not be negative");
        }
        boolean restart = Boolean.TRUE.equals(bool(body, "restartOnFailure", "restartOnFailure"));
        Integer maxRestarts = integer(body, "maxRestarts", "maxRestarts");
        return new ProcessSpec(command, name, workingDir, env, ports,
                Boolean.TRUE.equals(bool(body, "waitForCompletion", "waitForCompletion")),
                timeout == null || timeout == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(timeout)),
                Boolean.TRUE.equals(bool(body, "keepAlive", "keepAlive")), restart,
                maxRestarts == null ? 0 : maxRestarts, Boolean.TRUE.equals(bool(body, "stdin", "stdin")));
    }

    static JsonObject process(ProcessInfo p) {
        JsonObject json = new JsonObject()
                .put("pid", p.pid())
                .put("name", p.name().value())
                .put("command", p.command())
                .put("status", p.status().wireName())
                .put("startedAt", rfc1123(p.startedAt()))
                .put("completedAt", p.completedAt().map(WireJson::rfc1123).orElse(""))
                .put("exitCode", p.exitCode().orElse(0))
                .put("workingDir", p.workingDir().value())
                .put("restartOnFailure", p.restartOnFailure())
                .put("maxRestarts", p.maxRestarts())
                .put("restartCount", p.restartCount())
                .put("keepAlive", p.keepAlive());
        if (p.outOfMemory()) {
            json.put("oomKilled", true); // an addition to the wire protocol: only where it is true
        }
        return json;
    }

    static JsonObject process(ProcessInfo p, ProcessLogs logs) {
        return process(p).put("logs", logs.logs()).put("stdout", logs.stdout()).put("stderr", logs.stderr());
    }

    static JsonObject logs(ProcessLogs logs) {
        return new JsonObject().put("stdout", logs.stdout()).put("stderr", logs.stderr()).put("logs", logs.logs());
    }

    static String rfc1123(Instant instant) {
        return RFC_1123.format(instant.atOffset(ZoneOffset.UTC));
    }

    // ---- files ----

    static JsonObject file(FileEntry e) {
        return new JsonObject()
                .put("name", e.name())
                .put("path", e.path().value())
                .put("size", e.size())
                .put("permissions", e.permissions())
                .put("owner", "")
                .put("group", "")
                .put("lastModified", e.lastModified().toString());
    }

    static JsonObject fileWithContent(FileContent f) {
        return file(f.entry()).put("content", f.text());
    }

    static JsonObject directory(DirectoryListing d) {
        return new JsonObject()
                .put("name", d.path().fileName().orElse("/"))
                .put("path", d.path().value())
                .put("files", new JsonArray(d.files().stream().map(WireJson::file).toList()))
                .put("subdirectories", new JsonArray(d.subdirectories().stream().map(WireJson::file).toList()));
    }

    /** {@code fs.find}'s answer: {@code {"matches":[{"path","type"}],"total"}}. */
    static JsonObject find(List<FindMatch> found) {
        return new JsonObject()
                .put("matches", new JsonArray(found.stream().map(m -> new JsonObject()
                        .put("path", m.path().value())
                        .put("type", m.directory() ? "directory" : "file")).toList()))
                .put("total", found.size());
    }

    /** {@code fs.grep}'s answer: {@code {"matches":[{"path","line","column","text","context"?}],"query","total"}}. */
    static JsonObject grep(List<GrepMatch> found, String query) {
        return new JsonObject()
                .put("matches", new JsonArray(found.stream().map(m -> {
                    JsonObject match = new JsonObject().put("path", m.path().value()).put("line", m.line())
                            .put("column", m.column()).put("text", m.text());
                    m.context().ifPresent(c -> match.put("context", c));
                    return match;
                }).toList()))
                .put("query", query)
                .put("total", found.size());
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

    /** {@code {"message":…,"path":…}}, the answer to a file write, a mkdir or a removal. */
    static JsonObject message(String message, SandboxPath path) {
        return message(message).put("path", path.value());
    }

    /** The answer to a file write or a mkdir. */
    static JsonObject written(FileEntry entry) {
        return message(entry.directory() ? "Directory created successfully" : "File written successfully",
                entry.path());
    }

    /** {@code POST /process/{id}/stdin}'s answer. */
    static JsonObject stdinWritten(int bytes) {
        return message("Input written successfully").put("bytes", bytes);
    }

    static JsonObject health() {
        return new JsonObject().put("status", "ok");
    }

    // ---- streamed lines ----

    /** One line of the NDJSON exec stream for a line of output: {@code {"type":"stdout"|"stderr","data":…}}. */
    static JsonObject streamLine(LogLine line) {
        return new JsonObject().put("type", line.stream() == LogStream.STDOUT ? "stdout" : "stderr")
                .put("data", line.text());
    }

    /** {@code {"type":"keepalive"}}. */
    static JsonObject streamKeepalive() {
        return new JsonObject().put("type", "keepalive");
    }

    /** The last line of the NDJSON exec stream: the ProcessResponse as a JSON <em>string</em> in {@code data}. */
    static JsonObject streamResult(JsonObject process) {
        return new JsonObject().put("type", "result").put("data", process.encode());
    }

    /** One line of {@code fs.watch}: {@code {"op","path","name"}}. */
    static JsonObject fileEvent(FileEvent event) {
        return new JsonObject().put("op", event.op()).put("path", event.path().value()).put("name", event.name());
    }

    /** The exec stream's note that a slow reader missed {@code count} lines: {@code {"type":"dropped","count"}}. */
    static JsonObject streamDropped(long count) {
        return new JsonObject().put("type", "dropped").put("count", count);
    }

    /** The exec stream's last line when it is ended for the reader (revoked, expired): {@code {"type":"closed"}}. */
    static JsonObject streamClosed(String reason) {
        return new JsonObject().put("type", "closed").put("reason", reason);
    }

    /** The watch stream's note that a slow reader missed {@code count} events: {@code {"op":"DROPPED","count"}}. */
    static JsonObject watchDropped(long count) {
        return new JsonObject().put("op", "DROPPED").put("count", count);
    }

    /** The watch stream's last line when it is ended for the reader: {@code {"op":"CLOSED","reason"}}. */
    static JsonObject watchClosed(String reason) {
        return new JsonObject().put("op", "CLOSED").put("reason", reason);
    }

    /** One line of the log stream (not JSON): {@code stdout:<text>} or {@code stderr:<text>}, then a newline. */
    static Buffer logStreamLine(LogLine line) {
        return Buffer.buffer(line.stream().prefix() + line.text() + "\n", java.nio.charset.StandardCharsets.UTF_8.name());
    }

    /** The log stream's note that a slow reader missed {@code count} lines (not prefixed: it is not output). */
    static Buffer logStreamDropped(long count) {
        return Buffer.buffer("[dropped " + count + " lines: the reader fell behind]\n");
    }

    /** The log stream's last line when it is ended for the reader (revoked, expired). */
    static Buffer logStreamClosed(String reason) {
        return Buffer.buffer("[closed: " + reason + "]\n", java.nio.charset.StandardCharsets.UTF_8.name());
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

    private static JsonObject obj(JsonObject o, String key) {
        return obj(o, key, key);
    }

    private static JsonObject obj(JsonObject o, String what, String key) {
        return typed(o, what, key, JsonObject.class, "an object");
    }

    private static JsonArray arr(JsonObject o, String what, String key) {
        return typed(o, what, key, JsonArray.class, "an array");
    }

    private static String str(JsonObject o, String what, String key) {
        return typed(o, what, key, String.class, "a string");
    }

    private static Boolean bool(JsonObject o, String what, String key) {
        return typed(o, what, key, Boolean.class, "true or false");
    }

    private static Integer integer(JsonObject o, String what, String key) {
        Number n = typed(o, what, key, Number.class, "an integer");
        if (n == null) {
            return null;
        }
        if (n.doubleValue() != n.intValue()) {
            throw invalid(what + " must be an integer");
        }
        return n.intValue();
    }

    private static Map<String, String> stringMap(JsonObject o, String what, String key) {
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

    private static <T> T typed(JsonObject o, String what, String key, Class<T> type, String expected) {
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

    static SandgateException.InvalidRequest invalid(String message) {
        return new SandgateException.InvalidRequest(message);
    }

    static <T> T orNotFound(Optional<T> value, Supplier<String> message) {
        return value.orElseThrow(() -> new SandgateException.NotFound(message.get()));
    }
}
