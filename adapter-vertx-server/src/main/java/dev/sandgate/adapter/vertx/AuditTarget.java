package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.ProcessName;
import dev.sandgate.ports.audit.AuditEntry;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * What a request under a session URL did, as its audit entry names it: an operation ({@code process.exec},
 * {@code fs.read}...) and the sandbox path or process it named. Read from the method and the raw path after the
 * session's mount, the way the routes of the sandbox API read them ({@link RawPath}); never from the query string, a
 * header or a body, except a started process's own {@code name}.
 *
 * @param operation what was done; {@code other} for a path no route serves
 * @param target    the path (normalised as the file routes normalise it) or the process (its name or pid)
 */
record AuditTarget(String operation, Optional<String> target) {
    /** Segments of a session URL before its API paths: {@code s}, the sandbox, the session. */
    static final int SESSION_MOUNT = 3;

    static AuditTarget of(RoutingContext ctx) {
        String raw = ctx.request().path() == null ? "/" : ctx.request().path();
        String tail = RawPath.after(raw, SESSION_MOUNT);
        List<String> segments = RawPath.segments(tail).stream().filter(s -> !s.isEmpty()).toList();
        HttpMethod method = ctx.request().method();
        if (segments.isEmpty()) {
            return new AuditTarget("other", Optional.empty());
        }
        return switch (segments.get(0)) {
            case "process" -> process(ctx, method, segments);
            case "filesystem" -> files(method, tail, 1, method == HttpMethod.GET ? "fs.read"
                    : method == HttpMethod.PUT ? "fs.write" : method == HttpMethod.DELETE ? "fs.delete" : "other");
            case "filesystem-find" -> files(method, tail, 1, "fs.find");
            case "filesystem-content-search" -> files(method, tail, 1, "fs.search");
            case "watch" -> files(method, tail, 2, "fs.watch");
            case "port" -> new AuditTarget("port.fetch", segments.size() > 1 ? cut(segments.get(1)) : Optional.empty());
            case "health" -> new AuditTarget("health", Optional.empty());
            default -> new AuditTarget("other", Optional.empty());
        };
    }

    private static AuditTarget files(HttpMethod method, String tail, int area, String operation) {
        if (operation.equals("other")) {
            return new AuditTarget(operation, Optional.empty());
        }
        try {
            return new AuditTarget(operation, cut(RawPath.sandboxPath(RawPath.after(tail, area)).value()));
        } catch (RuntimeException malformed) {
            return new AuditTarget(operation, Optional.empty());
        }
    }

    private static AuditTarget process(RoutingContext ctx, HttpMethod method, List<String> segments) {
        if (segments.size() == 1) {
            if (method == HttpMethod.POST) {
                return new AuditTarget("process.exec", startedName(ctx));
            }
            return new AuditTarget(method == HttpMethod.GET ? "process.list" : "other", Optional.empty());
        }
        Optional<String> id = decoded(segments.get(1));
        String rest = String.join("/", segments.subList(2, segments.size()));
        String operation = switch (method.name() + " " + rest) {
            case "GET " -> "process.get";
            case "DELETE " -> "process.stop";
            case "DELETE kill" -> "process.kill";
            case "GET logs" -> "process.logs";
            case "GET logs/stream" -> "process.logs.stream";
            case "POST stdin" -> "process.stdin";
            case "DELETE stdin" -> "process.stdin.close";
            default -> "other";
        };
        return new AuditTarget(operation, id);
    }

    /** The {@code name} a started process was given in the request, when it is a valid one. */
    private static Optional<String> startedName(RoutingContext ctx) {
        try {
            if (ctx.body() == null || ctx.body().buffer() == null) {
                return Optional.empty();
            }
            JsonObject body = ctx.body().asJsonObject();
            Object name = body == null ? null : body.getValue("name");
            return name instanceof String s ? Optional.of(ProcessName.of(s).value()) : Optional.empty();
        } catch (RuntimeException notJsonOrNotAName) {
            return Optional.empty();
        }
    }

    private static Optional<String> decoded(String segment) {
        try {
            return cut(RawPath.decode(segment));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private static Optional<String> cut(String value) {
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return Optional.of(printable.length() > AuditEntry.MAX_TARGET
                ? printable.substring(0, AuditEntry.MAX_TARGET - 3) + "..." : printable);
    }
}
