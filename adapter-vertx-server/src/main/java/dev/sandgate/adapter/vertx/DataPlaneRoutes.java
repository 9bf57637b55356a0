package dev.sandgate.adapter.vertx;

// Over 400 lines: every route of the sandbox API, matched by hand; issue 12 asks for routes per area on a Router, which is not done yet.

import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sandbox API (protocol section c) of one sandbox, served under its {@code metadata.url} and under each of its
 * session previews' URLs. The caller is already authenticated; {@code rest} is the raw path after the base.
 *
 * <pre>
 * GET /health
 * POST /process (JSON, or NDJSON with Accept: text/event-stream)    GET /process (bare array)
 * GET|DELETE /process/{id}    DELETE /process/{id}/kill    GET /process/{id}/logs    GET /process/{id}/logs/stream
 * POST|DELETE /process/{id}/stdin     (raw body written to the process's input; DELETE closes it)
 * GET /filesystem-find/{path}, GET /filesystem-content-search/{path}   (fs.find, fs.grep)
 * GET /watch/filesystem/{path}        (fs.watch: NDJSON events until the client goes away)
 * GET|PUT|DELETE /filesystem/{path}   (path one percent-encoded segment, or unencoded after '/')
 * ANY /port/{port}{path}              (sandbox.fetch: to the port inside the sandbox; see PortProxy)
 * </pre>
 */
final class DataPlaneRoutes {
    private final Vertx vertx;
    private final SandboxGateway gateway;
    private final WorkerExecutor workers;
    private final Bulkhead calls;
    private final Bulkhead execs;
    private final LineStream.Streams streams;
    private final PortProxy ports;

    /**
     * @param workers  the pool of the short calls; each sandbox's file and process calls hold at most
     *                 {@code share} of its threads ({@link Bulkhead})
     * @param waits    the pool of execs (which may wait for ports or completion), shared out the same way
     * @param share    how many threads of each pool one sandbox may hold at once
     * @param ports    {@code /port/{port}}: the sandbox's port, reached the way previews reach it
     */
    DataPlaneRoutes(Vertx vertx, SandboxGateway gateway, WorkerExecutor workers, WorkerExecutor waits, int share,
                    LineStream.Streams streams, PortProxy ports) {
        this.ports = ports;
        this.vertx = vertx;
        this.gateway = gateway;
        this.workers = workers;
        this.calls = new Bulkhead(vertx, workers, share, MAX_QUEUED, "file and process calls");
        this.execs = new Bulkhead(vertx, waits, share, MAX_QUEUED, "execs");
        this.streams = streams;
    }

    /** How many of one sandbox's calls may wait for a thread of their pool before more are refused. */
    static final int MAX_QUEUED = 256;

    /**
     * {@code fs.find} ({@code GET /filesystem-find/<path>?type=&patterns=&maxResults=&excludeDirs=&excludeHidden=})
     * and {@code fs.grep} ({@code GET /filesystem-content-search/<path>?query=&caseSensitive=&contextLines=
     * &maxResults=&filePattern=&excludeDirs=}), answered as the sandbox API does ({@code {matches, total}}, plus
     * {@code query} for grep) by the data plane's {@code find} and {@code grep}. Bad parameters are a 400.
     */
    private void search(RoutingContext ctx, SandboxName sandbox, String route, String rawPath) {
        SandboxPath path = RawPath.sandboxPath(rawPath);
        var request = ctx.request();
        List<String> excludeDirs = commaList(request.getParam("excludeDirs"));
        int maxResults = intParam(request.getParam("maxResults"), "maxResults", dev.sandgate.domain.FindQuery.DEFAULT_RESULTS);
        try {
            if (route.equals("filesystem-find")) {
                dev.sandgate.domain.FindQuery query = new dev.sandgate.domain.FindQuery(
                        Optional.ofNullable(request.getParam("type")).filter(t -> !t.isEmpty()),
                        commaList(request.getParam("patterns")), maxResults, excludeDirs,
                        "true".equalsIgnoreCase(request.getParam("excludeHidden")));
                on(ctx, sandbox, dp -> dp.find(path, query), found -> ok(ctx, WireJson.find(found)));
            } else {
                String text = request.getParam("query");
                dev.sandgate.domain.GrepQuery query = new dev.sandgate.domain.GrepQuery(text == null ? "" : text,
                        "true".equalsIgnoreCase(request.getParam("caseSensitive")),
                        intParam(request.getParam("contextLines"), "contextLines", 0), maxResults,
                        Optional.ofNullable(request.getParam("filePattern")).filter(p -> !p.isEmpty()), excludeDirs);
                on(ctx, sandbox, dp -> dp.grep(path, query), found -> ok(ctx, WireJson.grep(found, query.query())));
            }
        } catch (IllegalArgumentException e) {
            throw WireJson.invalid(e.getMessage());
        }
    }

    /**
     * {@code fs.watch}: {@code GET /watch/filesystem/<path>?ignore=a,b} streams one JSON event
     * ({@code {"op","path","name"}}) per line, {@code [keepalive]} lines between, until the client goes away. A
     * missing directory is a plain 404 and a file a 400, before any byte of the stream.
     */
    private void watch(RoutingContext ctx, SandboxName sandbox, String rawPath) {
        SandboxPath path = RawPath.sandboxPath(rawPath);
        List<String> ignore = commaList(ctx.request().getParam("ignore"));
        // Watch before the answer starts, so that a change made right after the client sees the 200 is reported;
        // what comes before the stream is attached is held (a bounded number of events) and then sent.
        WatchRelay relay = new WatchRelay();
        on(ctx, sandbox, dp -> {
            if (!dp.stat(path).directory()) {
                throw new SandgateException.InvalidRequest(path + " is a file, not a directory");
            }
            return dp.watch(path, ignore, relay);
        }, subscription -> new LineStream<dev.sandgate.domain.FileEvent>(streams, ctx, "application/x-ndjson") {
            @Override
            Buffer line(dev.sandgate.domain.FileEvent event) {
                return WireJson.ndjson(WireJson.fileEvent(event));
            }

            @Override
            Buffer keepalive() {
                return WireJson.keepaliveLine();
            }

            @Override
            Buffer dropped(long lines) {
                return WireJson.ndjson(WireJson.watchDropped(lines));
            }

            @Override
            Buffer closing(String reason) {
                return WireJson.ndjson(WireJson.watchClosed(reason));
            }

            @Override
            void finish(Runnable end) {
                end.run();
            }
        }.start(sink -> {
            relay.attach(sink);
            return subscription;
        }));
    }

    /** Holds the events of a watch until its stream is attached (a bounded number), then hands each on. */
    private static final class WatchRelay implements dev.sandgate.ports.FileEventListener {
        private static final int MAX_HELD = 10_000;
        private final List<dev.sandgate.domain.FileEvent> held = new ArrayList<>();
        private LineStream.Sink<dev.sandgate.domain.FileEvent> target;
        private boolean overflowed;

        @Override
        public synchronized void onEvent(dev.sandgate.domain.FileEvent event) {
            if (target != null) {
                target.item(event);
            } else if (held.size() < MAX_HELD) {
                held.add(event);
            } else {
                overflowed = true;
            }
        }

        @Override
        public synchronized void onError(SandgateException error) {
            if (target != null) {
                target.error(error);
            }
        }

        synchronized void attach(LineStream.Sink<dev.sandgate.domain.FileEvent> sink) {
            target = sink;
            held.forEach(sink::item);
            held.clear();
            if (overflowed) {
                sink.error(new SandgateException.Unavailable("too many changes at once"));
            }
        }
    }

    private static List<String> commaList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static int intParam(String value, String name, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        if (!value.matches("\\d{1,9}")) {
            throw WireJson.invalid(name + " must be a number, not '" + (value.length() > 20 ? value.substring(0, 20)
                    : value) + "'");
        }
        return Integer.parseInt(value);
    }

    /** The most files one {@code fs.writeTree} may write. */
    static final int MAX_TREE_FILES = 1000;

    void handle(RoutingContext ctx, SandboxName sandbox, String rest) {
        List<String> s = RawPath.segments(rest);
        HttpMethod method = ctx.request().method();
        if (s.isEmpty()) {
            ctx.fail(404);
            return;
        }
        switch (s.get(0)) {
            case "health" -> {
                if (s.size() != 1) {
                    ctx.fail(404);
                } else if (method != HttpMethod.GET) {
                    ctx.fail(405);
                } else {
                    on(ctx, sandbox, dp -> dp.sandbox(), name -> ok(ctx, WireJson.health()));
                }
            }
            case "process" -> process(ctx, sandbox, s, method);
            case "filesystem" -> files(ctx, sandbox, rest.substring(rest.indexOf("filesystem") + "filesystem".length()),
                    method);
            case "watch" -> {
                if (s.size() < 2 || !s.get(1).equals("filesystem")) {
                    ctx.fail(404);
                } else if (method != HttpMethod.GET) {
                    ctx.fail(405);
                } else {
                    watch(ctx, sandbox, rest.substring(rest.indexOf("filesystem") + "filesystem".length()));
                }
            }
            case "filesystem-find", "filesystem-content-search" -> {
                if (method != HttpMethod.GET) {
                    ctx.fail(405);
                } else {
                    String route = s.get(0);
                    search(ctx, sandbox, route, rest.substring(rest.indexOf(route) + route.length()));
                }
            }
            case "port" -> {
                if (s.size() < 2) {
                    ctx.fail(404);
                } else {
                    String afterPort = rest.substring(rest.indexOf("port") + "port".length());
                    ports.handle(ctx, sandbox, s.get(1), afterPort.substring(afterPort.indexOf(s.get(1))
                            + s.get(1).length()));
                }
            }
            default -> ctx.fail(404);
        }
    }

    // ---- processes ----

    private void process(RoutingContext ctx, SandboxName sandbox, List<String> s, HttpMethod method) {
        int n = s.size();
        if (n == 1) {
            if (method == HttpMethod.POST) {
                exec(ctx, sandbox);
            } else if (method == HttpMethod.GET) {
                on(ctx, sandbox, DataPlane::listProcesses,
                        list -> ok(ctx, WireJson.list(list.stream().map(WireJson::process).toList())));
            } else {
                ctx.fail(405);
            }
            return;
        }
        String id = RawPath.decode(s.get(1));
        if (id.isEmpty()) {
            ctx.fail(404);
            return;
        }
        if (n == 2) {
            switch (method.name()) {
                case "GET" -> on(ctx, sandbox, dp -> dp.getProcess(id), p -> ok(ctx, WireJson.process(p)));
                case "DELETE" -> on(ctx, sandbox, dp -> dp.stopProcess(id),
                        p -> ok(ctx, WireJson.message("Process stopped successfully")));
                default -> ctx.fail(405);
            }
        } else if (n == 3 && s.get(2).equals("kill")) {
            if (method == HttpMethod.DELETE) {
                on(ctx, sandbox, dp -> dp.killProcess(id),
                        p -> ok(ctx, WireJson.message("Process killed successfully")));
            } else {
                ctx.fail(405);
            }
        } else if (n == 3 && s.get(2).equals("logs")) {
            if (method == HttpMethod.GET) {
                on(ctx, sandbox, dp -> dp.logs(id), logs -> ok(ctx, WireJson.logs(logs)));
            } else {
                ctx.fail(405);
            }
        } else if (n == 3 && s.get(2).equals("stdin")) {
            if (method == HttpMethod.POST) {
                // the raw body, as the SDK sends it (not JSON-encoded)
                byte[] data = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
                on(ctx, sandbox, dp -> {
                    dp.writeStdin(id, data);
                    return data.length;
                }, written -> ok(ctx, WireJson.stdinWritten(written)));
            } else if (method == HttpMethod.DELETE) {
                on(ctx, sandbox, dp -> {
                    dp.closeStdin(id);
                    return id;
                }, closed -> ok(ctx, WireJson.message("Input closed successfully")));
            } else {
                ctx.fail(405);
            }
        } else if (n == 4 && s.get(2).equals("logs") && s.get(3).equals("stream")) {
            if (method == HttpMethod.GET) {
                streamLogs(ctx, sandbox, id);
            } else {
                ctx.fail(405);
            }
        } else {
            ctx.fail(404);
        }
    }

    private void exec(RoutingContext ctx, SandboxName sandbox) {
        ProcessSpec spec = WireJson.processSpec(WireJson.object(ctx.body().buffer()));
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
            execStreamed(ctx, sandbox, spec);
            return;
        }
        Exchange.answer(ctx, launch(sandbox, spec).compose(s -> spec.waitForCompletion()
                ? calls.execute(sandbox, () -> WireJson.process(s.info(), s.dataPlane().logs(s.info().pid())))
                : Future.succeededFuture(WireJson.process(s.info()))), body -> ok(ctx, body));
    }

    /**
     * Starts a process within the sandbox's share of the exec pool; its waits (ports, completion) then hold no
     * thread where the gateway can avoid it ({@link DataPlane#execAsync}).
     */
    private Future<Started> launch(SandboxName sandbox, ProcessSpec spec) {
        Context context = vertx.getOrCreateContext();
        return execs.execute(sandbox, () -> {
            DataPlane dp = gateway.dataPlane(sandbox);
            return new Launching(dp, dp.execAsync(spec));
        }).compose(l -> Future.fromCompletionStage(l.started(), context)
                .map(info -> new Started(l.dataPlane(), info))
                .recover(failure -> Future.failedFuture(failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure)));
    }

    private record Launching(DataPlane dataPlane, java.util.concurrent.CompletionStage<ProcessInfo> started) {
    }

    /**
     * The streamed exec: the process starts (after its ports, if any, accept connections), then NDJSON lines
     * {@code {"type":"stdout"|"stderr","data":…}}, {@code {"type":"keepalive"}} every keepalive interval, and last
     * {@code {"type":"result","data":"<ProcessResponse as a JSON string>"}}.
     */
    private void execStreamed(RoutingContext ctx, SandboxName sandbox, ProcessSpec spec) {
        ProcessSpec started = new ProcessSpec(spec.command(), spec.name(), spec.workingDir(), spec.env(),
                spec.waitForPorts(), false, spec.timeout(), spec.keepAlive(), spec.restartOnFailure(),
                spec.maxRestarts(), spec.stdin());
        Exchange.answer(ctx, launch(sandbox, started), s -> new LineStream<LogLine>(streams, ctx,
                "application/x-ndjson") {
            @Override
            Buffer line(LogLine line) {
                return WireJson.ndjson(WireJson.streamLine(line));
            }

            @Override
            Buffer keepalive() {
                return WireJson.ndjson(WireJson.streamKeepalive());
            }

            @Override
            Buffer dropped(long lines) {
                return WireJson.ndjson(WireJson.streamDropped(lines));
            }

            @Override
            Buffer closing(String reason) {
                return WireJson.ndjson(WireJson.streamClosed(reason));
            }

            @Override
            void finish(Runnable end) {
                workers.executeBlocking(() -> {
                    ProcessInfo info = s.dataPlane().getProcess(s.info().pid());
                    return WireJson.process(info, s.dataPlane().logs(info.pid()));
                }, false).onComplete(ar -> {
                    JsonObject result = ar.succeeded() ? ar.result() : WireJson.process(s.info());
                    write(WireJson.ndjson(WireJson.streamResult(result)));
                    end.run();
                });
            }
        }.start(sink -> s.dataPlane().streamLogs(s.info().pid(), logsInto(sink))));
    }

    private record Started(DataPlane dataPlane, ProcessInfo info) {
    }

    /** {@code stdout:}/{@code stderr:} prefixed lines, {@code [keepalive]} lines, closed when the process exits. */
    private void streamLogs(RoutingContext ctx, SandboxName sandbox, String id) {
        // Resolve the process first, so that an unknown one is a plain 404 before any byte of the stream.
        on(ctx, sandbox, dp -> {
            dp.getProcess(id);
            return dp;
        }, dp -> new LineStream<LogLine>(streams, ctx, "text/plain; charset=utf-8") {
            @Override
            Buffer line(LogLine line) {
                return WireJson.logStreamLine(line);
            }

            @Override
            Buffer keepalive() {
                return WireJson.keepaliveLine();
            }

            @Override
            Buffer dropped(long lines) {
                return WireJson.logStreamDropped(lines);
            }

            @Override
            Buffer closing(String reason) {
                return WireJson.logStreamClosed(reason);
            }

            @Override
            void finish(Runnable end) {
                end.run();
            }
        }.start(sink -> dp.streamLogs(id, logsInto(sink))));
    }

    /** A log listener that feeds {@code sink}. */
    private static LogListener logsInto(LineStream.Sink<LogLine> sink) {
        return new LogListener() {
            @Override
            public void onLine(LogLine line) {
                sink.item(line);
            }

            @Override
            public void onEnd() {
                sink.end();
            }

            @Override
            public void onError(SandgateException error) {
                sink.error(error);
            }
        };
    }

    // ---- files ----

    private void files(RoutingContext ctx, SandboxName sandbox, String rawPath, HttpMethod method) {
        SandboxPath path = RawPath.sandboxPath(rawPath);
        switch (method.name()) {
            case "GET" -> readFile(ctx, sandbox, path);
            case "PUT" -> writeFile(ctx, sandbox, path, rawPath);
            case "DELETE" -> {
                boolean recursive = "true".equalsIgnoreCase(ctx.request().getParam("recursive"));
                on(ctx, sandbox, dp -> {
                    dp.remove(path, recursive);
                    return path;
                }, p -> ok(ctx, WireJson.message("File removed successfully", p)));
            }
            default -> ctx.fail(405);
        }
    }

    private void readFile(RoutingContext ctx, SandboxName sandbox, SandboxPath path) {
        String accept = ctx.request().getHeader("Accept");
        boolean raw = accept != null && accept.contains("application/octet-stream");
        on(ctx, sandbox, dp -> {
            FileEntry entry = dp.stat(path);
            if (entry.directory()) {
                return WireJson.directory(dp.listDirectory(path));
            }
            FileContent content = dp.readFile(path);
            return raw ? Buffer.buffer(content.bytes()) : WireJson.fileWithContent(content);
        }, body -> {
            if (body instanceof Buffer bytes) {
                ctx.response().setStatusCode(200)
                        .putHeader("Content-Type", "application/octet-stream")
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .end(bytes);
            } else {
                ok(ctx, body);
            }
        });
    }

    private void writeFile(RoutingContext ctx, SandboxName sandbox, SandboxPath path, String rawPath) {
        byte[] upload = ctx.get(BrokerServer.UPLOAD_KEY);
        if (upload != null) {
            String permissions = ctx.request().getFormAttribute("permissions");
            Optional<String> perms = Optional.ofNullable(permissions).filter(p -> !p.isEmpty())
                    .map(FileEntry::requirePermissions);
            on(ctx, sandbox, dp -> dp.writeFile(path, upload, perms), e -> written(ctx, e));
            return;
        }
        JsonObject body = WireJson.object(ctx.body().buffer());
        if ((rawPath.equals("/tree") || rawPath.startsWith("/tree/")) && body.containsKey("files")) {
            writeTree(ctx, sandbox, RawPath.sandboxPath(rawPath.substring("/tree".length())), body.getValue("files"));
            return;
        }
        Object isDirectory = body.getValue("isDirectory");
        Object content = body.getValue("content");
        Object permissions = body.getValue("permissions");
        if (permissions != null && !(permissions instanceof String)) {
            throw WireJson.invalid("permissions must be a string such as 0644");
        }
        Optional<String> perms = Optional.ofNullable((String) permissions).filter(p -> !p.isEmpty())
                .map(FileEntry::requirePermissions);
        if (Boolean.TRUE.equals(isDirectory)) {
            on(ctx, sandbox, dp -> dp.makeDirectory(path, perms.orElse("0755")), e -> written(ctx, e));
        } else if (content instanceof String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            on(ctx, sandbox, dp -> dp.writeFile(path, bytes, perms), e -> written(ctx, e));
        } else {
            throw WireJson.invalid("give {\"content\": \"...\"} to write a file or {\"isDirectory\": true} to make a "
                    + "directory");
        }
    }

    /**
     * {@code fs.writeTree}: {@code PUT /filesystem/tree/<dest>} with {@code {"files":{"rel/path":"content"}}} writes
     * every file under {@code dest} (creating parents) and answers the listing of {@code dest}. Every entry is checked
     * before the first is written (a relative path without NUL or {@code ..}, string content, at most
     * {@value #MAX_TREE_FILES} files), so a bad entry writes nothing. (A {@code PUT /filesystem/tree/x} without
     * {@code files} still writes the file {@code /tree/x}.)
     */
    private void writeTree(RoutingContext ctx, SandboxName sandbox, SandboxPath dest, Object files) {
        if (!(files instanceof JsonObject entries)) {
            throw WireJson.invalid("files must be an object of relative paths to contents");
        }
        if (entries.size() > MAX_TREE_FILES) {
            throw WireJson.invalid("files holds " + entries.size() + " entries; at most " + MAX_TREE_FILES);
        }
        java.util.Map<SandboxPath, byte[]> writes = new java.util.LinkedHashMap<>();
        for (String relative : entries.fieldNames()) {
            Object content = entries.getValue(relative);
            if (!(content instanceof String text)) {
                throw WireJson.invalid("the content of '" + relative + "' must be a string");
            }
            if (relative.isBlank() || relative.indexOf('\0') >= 0
                    || java.util.Arrays.asList(relative.split("[/\\\\]")).contains("..")) {
                throw WireJson.invalid("'" + relative + "' is not a relative path below the destination (no '..', no NUL)");
            }
            SandboxPath target;
            try {
                target = dest.resolve(relative);
            } catch (IllegalArgumentException e) {
                throw WireJson.invalid("'" + relative + "' is not a valid path: " + e.getMessage());
            }
            if (target.equals(dest) || !dest.contains(target)) {
                throw WireJson.invalid("'" + relative + "' does not lead below the destination " + dest);
            }
            writes.put(target, text.getBytes(StandardCharsets.UTF_8));
        }
        on(ctx, sandbox, dp -> {
            if (writes.isEmpty()) {
                try {
                    dp.stat(dest);
                } catch (dev.sandgate.domain.SandgateException.NotFound missing) {
                    dp.makeDirectory(dest, "0755");
                }
            }
            for (var write : writes.entrySet()) {
                dp.writeFile(write.getKey(), write.getValue(), Optional.empty());
            }
            return WireJson.directory(dp.listDirectory(dest));
        }, listing -> ok(ctx, listing));
    }

    private static void written(RoutingContext ctx, FileEntry entry) {
        ok(ctx, WireJson.written(entry));
    }

    // ---- shared ----

    private <T> void on(RoutingContext ctx, SandboxName sandbox, Function<DataPlane, T> call, Consumer<T> then) {
        Callable<T> task = () -> call.apply(gateway.dataPlane(sandbox));
        Exchange.answer(ctx, calls.execute(sandbox, task), then);
    }

    private static void ok(RoutingContext ctx, Object body) {
        Exchange.json(ctx, 200, body);
    }
}
