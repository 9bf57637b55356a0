package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import static dev.sandgate.adapter.vertx.WireJson.*;

/**
 * The sandbox API's process bodies (protocol section c): exec requests, process answers, logs, stdin
 * acknowledgements and the lines of the streamed exec and the log stream. Part of the broker's wire mapping
 * ({@link WireJson}).
 */
final class ProcessWire {
    private ProcessWire() {
    }

    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    /**
     * What a process's output streams carry: a line with its cursor, (on a stream resumed after a cursor) how many
     * lines after that cursor the output buffer no longer has, or (on the NDJSON log stream) that the process was
     * restarted after a failure.
     */
    sealed interface Logged {
        /** A line and its cursor (0 for the local runtime's truncation notes when none is known). */
        record Line(LogLine line, long cursor) implements Logged {
        }

        /** Lines after the client's cursor that were dropped before they could be sent. */
        record Truncated(long lines) implements Logged {
        }

        /** The process's run failed with {@code exitCode} and was started again, its {@code restartCount}-th time. */
        record Restarted(int exitCode, int restartCount) implements Logged {
        }
    }

    /**
     * The streamed exec: NDJSON lines {@code {"type":"stdout"|"stderr","data":…,"cursor":n}},
     * {@code {"type":"keepalive"}}, and (written by the route once the process ended)
     * {@code {"type":"result","data":"<ProcessResponse as a string>"}}. {@code cursor} is Sandgate's own: the SDK
     * reads only {@code type} and {@code data}.
     */
    static final LineStream.Format<Logged> EXEC_STREAM = ndjsonFormat(ProcessWire::streamClosed);

    /**
     * The log stream as NDJSON, Sandgate's own form (asked for with {@code Accept: application/x-ndjson}): the exec
     * stream's line, keepalive and {@code dropped} objects, {@code {"type":"truncated","count":n}} when lines after
     * the client's cursor are gone, {@code {"type":"restarted",…}} ({@link #streamRestarted}) when the process was
     * restarted after a failure, and always a last {@code end} object saying how it ended: {@link #streamEnd} once the
     * process ended, {@link #streamRevoked} when the credential that opened it lapsed.
     */
    static final LineStream.Format<Logged> LOG_NDJSON = ndjsonFormat(ProcessWire::streamRevoked);

    private static LineStream.Format<Logged> ndjsonFormat(java.util.function.Function<String, JsonObject> closing) {
        return new LineStream.Format<>() {
            @Override
            public String contentType() {
                return "application/x-ndjson";
            }

            @Override
            public Buffer line(Logged item) {
                if (item instanceof Logged.Line l) {
                    return ndjson(streamLine(l.line(), l.cursor()));
                }
                if (item instanceof Logged.Truncated t) {
                    return ndjson(streamTruncated(t.lines()));
                }
                Logged.Restarted r = (Logged.Restarted) item;
                return ndjson(streamRestarted(r.exitCode(), r.restartCount()));
            }

            @Override
            public Buffer keepalive() {
                return ndjson(streamKeepalive());
            }

            @Override
            public Buffer dropped(long lines) {
                return ndjson(streamDropped(lines));
            }

            @Override
            public Buffer closing(String reason) {
                return ndjson(closing.apply(reason));
            }
        };
    }

    /**
     * The log stream as the SDK reads it: {@code stdout:}/{@code stderr:} prefixed text lines and {@code [keepalive]}
     * lines; no cursors (a client resuming with one is told of lost lines by an unprefixed note).
     */
    static final LineStream.Format<Logged> LOG_STREAM = new LineStream.Format<>() {
        @Override
        public String contentType() {
            return "text/plain; charset=utf-8";
        }

        @Override
        public Buffer line(Logged item) {
            if (item instanceof Logged.Line l) {
                return logStreamLine(l.line());
            }
            if (item instanceof Logged.Truncated t) {
                return logStreamTruncated(t.lines());
            }
            // the route hands restarts only to the NDJSON form: in the SDK's text stream every line is output
            throw new IllegalStateException("the text log stream has no restart line");
        }

        @Override
        public Buffer keepalive() {
            return keepaliveLine();
        }

        @Override
        public Buffer dropped(long lines) {
            return logStreamDropped(lines);
        }

        @Override
        public Buffer closing(String reason) {
            return logStreamClosed(reason);
        }
    };

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

    /**
     * Sandgate's own extension of a process body: {@code "sandgate": {"startedBy": "<session>"}} on an answer, the
     * session that started it (absent when none did); on an exec request from the API key, the session the process
     * is to be recorded as started by (a session's own request is recorded as its own, whatever it sends).
     */
    static final String EXTENSION = "sandgate";

    /** The {@code sandgate.startedBy} of an exec request, if it names one. */
    static Optional<PreviewName> startedBy(JsonObject body) {
        JsonObject ext = obj(body, EXTENSION, EXTENSION);
        if (ext == null) {
            return Optional.empty();
        }
        String name = str(ext, EXTENSION + ".startedBy", "startedBy");
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PreviewName.of(name));
        } catch (IllegalArgumentException bad) {
            throw invalid(EXTENSION + ".startedBy: " + bad.getMessage());
        }
    }

    static JsonObject process(ProcessInfo p) {
        JsonObject json = new JsonObject()
                .put("pid", p.pid())
                .put("name", p.name().value())
                .put("command", p.command())
                .put("status", p.status().wireName())
                .put("startedAt", rfc1123(p.startedAt()))
                .put("completedAt", p.completedAt().map(ProcessWire::rfc1123).orElse(""))
                .put("exitCode", p.exitCode().orElse(0))
                .put("workingDir", p.workingDir().value())
                .put("restartOnFailure", p.restartOnFailure())
                .put("maxRestarts", p.maxRestarts())
                .put("restartCount", p.restartCount())
                .put("keepAlive", p.keepAlive());
        if (p.outOfMemory()) {
            json.put("oomKilled", true); // an addition to the wire protocol: only where it is true
        }
        p.startedBy().ifPresent(session -> json.put(EXTENSION,
                new JsonObject().put("startedBy", session.value()))); // Sandgate's own: only where a session did
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

    /** {@code POST /process/{id}/stdin}'s answer. */
    static JsonObject stdinWritten(int bytes) {
        return message("Input written successfully").put("bytes", bytes);
    }

    // ---- streamed lines ----

    /** One line of the NDJSON exec stream for a line of output: {@code {"type":"stdout"|"stderr","data":…}}. */
    static JsonObject streamLine(LogLine line) {
        return new JsonObject().put("type", line.stream() == LogStream.STDOUT ? "stdout" : "stderr")
                .put("data", line.text());
    }

    /** {@link #streamLine(LogLine)} with the line's cursor (Sandgate's own field, which the SDK ignores). */
    static JsonObject streamLine(LogLine line, long cursor) {
        return streamLine(line).put("cursor", cursor);
    }

    /** Lines after the client's cursor that the output buffer dropped: {@code {"type":"truncated","count":n}}. */
    static JsonObject streamTruncated(long count) {
        return new JsonObject().put("type", "truncated").put("count", count);
    }

    /**
     * The log stream's last object once the process ended: {@code {"type":"end","how":"exited"|"stopped"|"killed",
     * "status","exitCode","restartCount"}} ({@code exited} covers {@code completed} and {@code failed}).
     */
    static JsonObject streamEnd(ProcessInfo p) {
        String how = switch (p.status()) {
            case STOPPED -> "stopped";
            case KILLED -> "killed";
            default -> "exited";
        };
        return new JsonObject().put("type", "end").put("how", how).put("status", p.status().wireName())
                .put("exitCode", p.exitCode().orElse(0)).put("restartCount", p.restartCount());
    }

    /**
     * The NDJSON log stream's last object when the credential that opened it lapsed (the session, its token or its
     * preview deleted or expired): {@code {"type":"end","how":"revoked","reason":…}}, the line saying why.
     */
    static JsonObject streamRevoked(String reason) {
        return new JsonObject().put("type", "end").put("how", "revoked").put("reason", reason);
    }

    /**
     * The NDJSON log stream's note that the process's run failed with {@code exitCode} and was started again:
     * {@code {"type":"restarted","exitCode":n,"restartCount":k}}; its output goes on in the same stream.
     */
    static JsonObject streamRestarted(int exitCode, int restartCount) {
        return new JsonObject().put("type", "restarted").put("exitCode", exitCode).put("restartCount", restartCount);
    }

    /** The text log stream's note of lines lost after the client's cursor (not prefixed: it is not output). */
    static Buffer logStreamTruncated(long count) {
        return Buffer.buffer("[truncated " + count + " lines after the cursor: the output buffer no longer has them]\n");
    }

    /** {@code {"type":"keepalive"}}. */
    static JsonObject streamKeepalive() {
        return new JsonObject().put("type", "keepalive");
    }

    /** The last line of the NDJSON exec stream: the ProcessResponse as a JSON <em>string</em> in {@code data}. */
    static JsonObject streamResult(JsonObject process) {
        return new JsonObject().put("type", "result").put("data", process.encode());
    }

    /** The exec stream's note that a slow reader missed {@code count} lines: {@code {"type":"dropped","count"}}. */
    static JsonObject streamDropped(long count) {
        return new JsonObject().put("type", "dropped").put("count", count);
    }

    /** The exec stream's last line when it is ended for the reader (revoked, expired): {@code {"type":"closed"}}. */
    static JsonObject streamClosed(String reason) {
        return new JsonObject().put("type", "closed").put("reason", reason);
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

}
