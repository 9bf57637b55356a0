package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import retrofit2.Call;
import retrofit2.Response;

/**
 * The sandbox API of one sandbox over HTTP, at a base URL: a sandbox's {@code metadata.url} (with the API key) or a
 * session's {@code url} (with only the session token; the HTTP client decides which headers go out).
 */
final class RetrofitDataPlane implements DataPlane {
    private static final MediaType OCTET = MediaType.get("application/octet-stream");
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private final SandboxName sandbox;
    private final HttpUrl base;
    private final DataPlaneApi api;
    private final DataPlaneApi streamingApi;
    private final Duration defaultWait;

    RetrofitDataPlane(SandboxName sandbox, HttpUrl base, DataPlaneApi api, DataPlaneApi streamingApi,
                      Duration defaultWait) {
        this.sandbox = sandbox;
        this.base = base;
        this.api = api;
        this.streamingApi = streamingApi;
        this.defaultWait = defaultWait;
    }

    @Override
    public SandboxName sandbox() {
        return sandbox;
    }

    private String url(String... segments) {
        HttpUrl.Builder b = base.newBuilder();
        for (String s : segments) {
            b.addPathSegment(s);
        }
        return b.build().toString();
    }

    // ---- processes ----

    @Override
    public ProcessInfo exec(ProcessSpec spec) {
        Call<ResponseBody> call = api.exec(url("process"), WireJson.body(Wire.ProcessRequest.class, WireJson.toWire(spec)));
        if (spec.waitForCompletion() || !spec.waitForPorts().isEmpty()) {
            boundByTheWait(call, spec);
        }
        return Calls.json(call, WireJson.adapter(Wire.ProcessResponse.class), WireJson::toDomain);
    }

    /**
     * The wire protocol's streamed exec: {@code POST /process} with {@code Accept: text/event-stream}, answered with
     * NDJSON events ({@code stdout}, {@code stderr}, {@code keepalive}, then {@code result} carrying the process as a
     * JSON string). A server that answers plain JSON instead is read as the SDK does: its output replayed, then ended.
     */
    @Override
    public ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Call<ResponseBody> call = streamingApi.execStream(url("process"), "text/event-stream",
                WireJson.body(Wire.ProcessRequest.class, WireJson.toWire(spec.withWaitForCompletion(true))));
        boundByTheWait(call, spec);
        Response<ResponseBody> response = Calls.execute(call);
        try (ResponseBody body = response.body()) {
            MediaType type = body == null ? null : body.contentType();
            if (body == null || type == null || !type.subtype().contains("ndjson")) {
                Wire.ProcessResponse plain = WireJson.adapter(Wire.ProcessResponse.class)
                        .fromJson(body == null ? "" : body.string());
                ProcessInfo info = WireJson.toDomain(plain);
                replay(plain.stdout, LogLine::stdout, listener);
                replay(plain.stderr, LogLine::stderr, listener);
                listener.onEnd();
                return info;
            }
            BufferedSource source = body.source();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Wire.StreamEvent event = WireJson.adapter(Wire.StreamEvent.class).fromJson(line);
                if (event == null || event.type == null) {
                    continue;
                }
                switch (event.type) {
                    case "stdout" -> replay(event.data, LogLine::stdout, listener);
                    case "stderr" -> replay(event.data, LogLine::stderr, listener);
                    case "result" -> {
                        ProcessInfo info = WireJson.toDomain(
                                WireJson.adapter(Wire.ProcessResponse.class).fromJson(String.valueOf(event.data)));
                        listener.onEnd();
                        return info;
                    }
                    default -> {
                        // keepalive, and error lines the SDK ignores too
                    }
                }
            }
            SandgateException broken = new SandgateException.Unavailable("no result received from the streamed exec");
            listener.onError(broken);
            throw broken;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SandgateException s) {
                throw s;
            }
            SandgateException broken = HttpErrors.malformed("POST process (streamed)", e);
            listener.onError(broken);
            throw broken;
        }
    }

    private static void replay(String data, java.util.function.Function<String, LogLine> line, LogListener listener) {
        if (data == null || data.isEmpty()) {
            return;
        }
        String text = data.endsWith("\n") ? data.substring(0, data.length() - 1) : data;
        for (String part : text.split("\r?\n", -1)) {
            listener.onLine(line.apply(part));
        }
    }

    /** The server answers only after the wait: give the call the wait plus a margin, or no bound for timeout 0. */
    private void boundByTheWait(Call<ResponseBody> call, ProcessSpec spec) {
        Duration wait = spec.timeout().orElse(defaultWait);
        call.timeout().timeout(wait.isZero() ? 0 : wait.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public List<ProcessInfo> listProcesses() {
        return Calls.json(api.get(url("process")), WireJson.listAdapter(Wire.ProcessResponse.class),
                list -> list.stream().map(WireJson::toDomain).toList());
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return Calls.json(api.get(url("process", identifier)), WireJson.adapter(Wire.ProcessResponse.class),
                WireJson::toDomain);
    }

    @Override
    public ProcessInfo stopProcess(String identifier) {
        Calls.bytes(api.delete(url("process", identifier)));
        return getProcess(identifier);
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        Calls.bytes(api.delete(url("process", identifier, "kill")));
        return getProcess(identifier);
    }

    @Override
    public void writeStdin(String identifier, byte[] data) {
        java.util.Objects.requireNonNull(data, "data must not be null");
        Calls.bytes(api.exec(url("process", identifier, "stdin"),
                okhttp3.RequestBody.create(data, okhttp3.MediaType.get("application/octet-stream"))));
    }

    @Override
    public void closeStdin(String identifier) {
        Calls.bytes(api.delete(url("process", identifier, "stdin")));
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return Calls.json(api.get(url("process", identifier, "logs")), WireJson.adapter(Wire.Logs.class),
                WireJson::toDomain);
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Call<ResponseBody> call = streamingApi.stream(url("process", identifier, "logs", "stream"));
        return readLines(call, "sandgate-log-stream", new Lines() {
            @Override
            public void line(String line) {
                if (line.startsWith("stdout:")) {
                    listener.onLine(LogLine.stdout(line.substring(7)));
                } else if (line.startsWith("stderr:")) {
                    listener.onLine(LogLine.stderr(line.substring(7)));
                } else {
                    listener.onLine(LogLine.stdout(line));
                }
            }

            @Override
            public void ended() {
                listener.onEnd();
            }

            @Override
            public void failed(SandgateException error) {
                listener.onError(error);
            }
        });
    }

    /** What a streamed answer's lines are for; called on the reading thread. */
    private interface Lines {
        void line(String line) throws IOException;

        void ended();

        void failed(SandgateException error);
    }

    /**
     * Executes a streamed call here (so that an unknown process or directory is thrown to the caller, as the port
     * says), then reads its lines on a daemon thread of its own, skipping blank and {@code [keepalive]} lines, until
     * the stream ends or the returned subscription is cancelled (nothing is reported after that).
     */
    private static LogSubscription readLines(Call<ResponseBody> call, String threadName, Lines lines) {
        Response<ResponseBody> response = Calls.execute(call);
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (ResponseBody body = response.body()) {
                if (body != null) {
                    BufferedSource source = body.source();
                    String line;
                    while ((line = source.readUtf8Line()) != null && !cancelled.get()) {
                        if (!line.isBlank() && !line.startsWith("[keepalive]")) {
                            lines.line(line);
                        }
                    }
                }
                if (!cancelled.get()) {
                    lines.ended();
                }
            } catch (IOException e) {
                if (!cancelled.get()) {
                    lines.failed(Calls.transport(call, e));
                }
            } catch (RuntimeException e) {
                if (!cancelled.get()) {
                    lines.failed(new SandgateException.Unavailable("a streamed line was malformed: " + e.getMessage(),
                            e));
                }
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
        return () -> {
            if (cancelled.compareAndSet(false, true)) {
                call.cancel();
            }
        };
    }

    // ---- files ----

    /** {@code fs.watch}: the streamed {@code GET /watch/filesystem/<path>}, one JSON event per line. */
    @Override
    public LogSubscription watch(SandboxPath path, List<String> ignore, dev.sandgate.ports.FileEventListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        HttpUrl.Builder b = HttpUrl.get(url("watch", "filesystem", path.value())).newBuilder();
        if (!ignore.isEmpty()) {
            b.addQueryParameter("ignore", String.join(",", ignore));
        }
        var events = WireJson.adapter(Wire.FileEvent.class);
        return readLines(streamingApi.stream(b.build().toString()), "sandgate-watch", new Lines() {
            @Override
            public void line(String line) throws IOException {
                Wire.FileEvent e = events.fromJson(line);
                if (e != null && e.op != null && e.path != null && e.name != null) {
                    listener.onEvent(new dev.sandgate.domain.FileEvent(e.op, SandboxPath.of(e.path), e.name));
                }
            }

            @Override
            public void ended() {
                listener.onError(new SandgateException.Unavailable("the watch of " + path + " ended"));
            }

            @Override
            public void failed(SandgateException error) {
                listener.onError(error);
            }
        });
    }

    private Wire.FileOrDirectory fetch(SandboxPath path) {
        return Calls.json(api.get(url("filesystem", path.value())), WireJson.adapter(Wire.FileOrDirectory.class),
                f -> f);
    }

    @Override
    public FileEntry stat(SandboxPath path) {
        Wire.FileOrDirectory f = fetch(path);
        return WireJson.toEntry(f, path, WireJson.isDirectory(f));
    }

    @Override
    public FileContent readFile(SandboxPath path) {
        Wire.FileOrDirectory f = fetch(path);
        if (WireJson.isDirectory(f)) {
            throw new SandgateException.InvalidRequest(path + " is a directory");
        }
        byte[] bytes = Calls.bytes(api.get(url("filesystem", path.value()), "application/octet-stream"));
        return new FileContent(WireJson.toEntry(f, path, false), bytes);
    }

    /** {@code fs.find} in one call: {@code GET /filesystem-find/<path>}. */
    @Override
    public List<dev.sandgate.domain.FindMatch> find(SandboxPath root, dev.sandgate.domain.FindQuery query) {
        java.util.Objects.requireNonNull(query, "query must not be null");
        HttpUrl.Builder b = HttpUrl.get(url("filesystem-find", root.value())).newBuilder();
        query.type().ifPresent(t -> b.addQueryParameter("type", t));
        if (!query.patterns().isEmpty()) {
            b.addQueryParameter("patterns", String.join(",", query.patterns()));
        }
        b.addQueryParameter("maxResults", Integer.toString(query.maxResults()));
        if (!query.excludeDirs().isEmpty()) {
            b.addQueryParameter("excludeDirs", String.join(",", query.excludeDirs()));
        }
        if (query.excludeHidden()) {
            b.addQueryParameter("excludeHidden", "true");
        }
        return Calls.json(api.get(b.build().toString()), WireJson.adapter(Wire.FindResponse.class), r -> {
            if (r == null || r.matches == null) {
                throw new SandgateException.Unavailable("the find answer holds no matches");
            }
            return r.matches.stream().map(m -> new dev.sandgate.domain.FindMatch(SandboxPath.of(m.path),
                    "directory".equals(m.type))).toList();
        });
    }

    /** {@code fs.grep} in one call: {@code GET /filesystem-content-search/<path>}. */
    @Override
    public List<dev.sandgate.domain.GrepMatch> grep(SandboxPath root, dev.sandgate.domain.GrepQuery query) {
        java.util.Objects.requireNonNull(query, "query must not be null");
        HttpUrl.Builder b = HttpUrl.get(url("filesystem-content-search", root.value())).newBuilder()
                .addQueryParameter("query", query.query())
                .addQueryParameter("maxResults", Integer.toString(query.maxResults()));
        if (query.caseSensitive()) {
            b.addQueryParameter("caseSensitive", "true");
        }
        if (query.contextLines() > 0) {
            b.addQueryParameter("contextLines", Integer.toString(query.contextLines()));
        }
        query.filePattern().ifPresent(p -> b.addQueryParameter("filePattern", p));
        if (!query.excludeDirs().isEmpty()) {
            b.addQueryParameter("excludeDirs", String.join(",", query.excludeDirs()));
        }
        return Calls.json(api.get(b.build().toString()), WireJson.adapter(Wire.GrepResponse.class), r -> {
            if (r == null || r.matches == null) {
                throw new SandgateException.Unavailable("the grep answer holds no matches");
            }
            return r.matches.stream().map(m -> new dev.sandgate.domain.GrepMatch(SandboxPath.of(m.path),
                    m.line == null ? 0 : m.line, m.column == null ? 0 : m.column, m.text == null ? "" : m.text,
                    java.util.Optional.ofNullable(m.context))).toList();
        });
    }

    @Override
    public DirectoryListing listDirectory(SandboxPath path) {
        Wire.FileOrDirectory d = fetch(path);
        if (!WireJson.isDirectory(d)) {
            throw new SandgateException.InvalidRequest(path + " is not a directory");
        }
        return WireJson.toListing(d, path);
    }

    @Override
    public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
        Objects.requireNonNull(content, "content must not be null");
        String mode = FileEntry.requirePermissions(permissions.orElse("0644"));
        MultipartBody.Part file = MultipartBody.Part.createFormData("file", path.fileName().orElse("file"),
                RequestBody.create(content, OCTET));
        Calls.bytes(api.putMultipart(url("filesystem", path.value()), file, RequestBody.create(mode, TEXT),
                RequestBody.create(path.value(), TEXT)));
        return stat(path);
    }

    @Override
    public FileEntry makeDirectory(SandboxPath path, String permissions) {
        Wire.FileWrite w = new Wire.FileWrite();
        w.isDirectory = true;
        w.permissions = FileEntry.requirePermissions(permissions);
        Calls.bytes(api.put(url("filesystem", path.value()), WireJson.body(Wire.FileWrite.class, w)));
        return stat(path);
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        Calls.bytes(api.delete(url("filesystem", path.value()), recursive));
    }
}
