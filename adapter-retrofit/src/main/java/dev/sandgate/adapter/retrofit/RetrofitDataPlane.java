package dev.sandgate.adapter.retrofit;

// Over 400 lines: one method per data-plane call of the wire, each a typed Retrofit call and its mapping; the log stream reader is the part to move out next.

import static dev.sandgate.adapter.retrofit.SandgateCallAdapterFactory.execute;
import static dev.sandgate.adapter.retrofit.WireJson.segment;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import retrofit2.Call;
import retrofit2.Response;

/**
 * The sandbox API of one sandbox over HTTP, at a base URL: a sandbox's {@code metadata.url} (with the API key) or a
 * session's {@code url} (with only the session token; the HTTP client decides which headers go out). {@code api}
 * and {@code streamingApi} are the same routes at that base, the second on a client that tolerates quiet streams.
 */
final class RetrofitDataPlane implements DataPlane {
    private static final MediaType OCTET = MediaType.get("application/octet-stream");
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private final SandboxName sandbox;
    private final DataPlaneApi api;
    private final DataPlaneApi streamingApi;
    private final Duration defaultWait;

    RetrofitDataPlane(SandboxName sandbox, DataPlaneApi api, DataPlaneApi streamingApi, Duration defaultWait) {
        this.sandbox = sandbox;
        this.api = api;
        this.streamingApi = streamingApi;
        this.defaultWait = defaultWait;
    }

    @Override
    public SandboxName sandbox() {
        return sandbox;
    }

    // ---- processes ----

    @Override
    public ProcessInfo exec(ProcessSpec spec) {
        Call<Wire.Process> call = api.exec(WireJson.toWire(spec));
        if (spec.waitForCompletion() || !spec.waitForPorts().isEmpty()) {
            boundByTheWait(call, spec);
        }
        return execute(call, WireJson::toDomain);
    }

    /**
     * The wire protocol's streamed exec: {@code POST /process} with {@code Accept: text/event-stream}, answered with
     * NDJSON events ({@code stdout}, {@code stderr}, {@code keepalive}, then {@code result} carrying the process as a
     * JSON string). A server that answers plain JSON instead is read as the SDK does: its output replayed, then ended.
     */
    @Override
    public ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Call<ResponseBody> call = streamingApi.execStream(WireJson.toWire(spec.withWaitForCompletion(true)));
        boundByTheWait(call, spec);
        Response<ResponseBody> response = SandgateCallAdapterFactory.response(call);
        var processes = WireJson.adapter(Wire.Process.class);
        var events = WireJson.adapter(Wire.StreamEvent.class);
        try (ResponseBody body = response.body()) {
            MediaType type = body.contentType();
            if (type == null || !type.subtype().contains("ndjson")) {
                Wire.Process plain = processes.fromJson(body.source());
                ProcessInfo info = WireJson.toDomain(plain);
                replay(plain.stdout(), LogLine::stdout, listener);
                replay(plain.stderr(), LogLine::stderr, listener);
                listener.onEnd();
                return info;
            }
            BufferedSource source = body.source();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Wire.StreamEvent event = events.fromJson(line);
                if (event == null || event.type() == null) {
                    continue;
                }
                switch (event.type()) {
                    case "stdout" -> replay(event.data(), LogLine::stdout, listener);
                    case "stderr" -> replay(event.data(), LogLine::stderr, listener);
                    case "result" -> {
                        ProcessInfo info = WireJson.toDomain(processes.fromJson(String.valueOf(event.data())));
                        listener.onEnd();
                        return info;
                    }
                    case "closed" -> throw failed(listener, new SandgateException.Unavailable(
                            "the streamed exec was closed by the server: " + event.reason()));
                    default -> {
                        // keepalive, dropped (the broker's note of missed lines), and error lines the SDK ignores
                    }
                }
            }
            throw failed(listener, new SandgateException.Unavailable("no result received from the streamed exec"));
        } catch (SandgateException e) {
            throw e;
        } catch (com.squareup.moshi.JsonDataException | com.squareup.moshi.JsonEncodingException
                 | IllegalArgumentException | NullPointerException e) {
            throw failed(listener, SandgateCallAdapterFactory.malformed("POST process (streamed)", e));
        } catch (IOException e) {
            throw failed(listener, SandgateCallAdapterFactory.transport(call, e));
        }
    }

    private static SandgateException failed(LogListener listener, SandgateException error) {
        listener.onError(error);
        return error;
    }

    private static void replay(String data, Function<String, LogLine> line, LogListener listener) {
        if (data == null || data.isEmpty()) {
            return;
        }
        String text = data.endsWith("\n") ? data.substring(0, data.length() - 1) : data;
        for (String part : text.split("\r?\n", -1)) {
            listener.onLine(line.apply(part));
        }
    }

    /** The server answers only after the wait: give the call the wait plus a margin, or no bound for timeout 0. */
    private void boundByTheWait(Call<?> call, ProcessSpec spec) {
        Duration wait = spec.timeout().orElse(defaultWait);
        call.timeout().timeout(wait.isZero() ? 0 : wait.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public List<ProcessInfo> listProcesses() {
        return execute(api.listProcesses(), list -> list.stream().map(WireJson::toDomain).toList());
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return execute(api.getProcess(segment(identifier)), WireJson::toDomain);
    }

    @Override
    public ProcessInfo stopProcess(String identifier) {
        execute(api.stopProcess(segment(identifier)));
        return getProcess(identifier);
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        execute(api.killProcess(segment(identifier)));
        return getProcess(identifier);
    }

    @Override
    public void writeStdin(String identifier, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        execute(api.writeStdin(segment(identifier), RequestBody.create(data, OCTET)));
    }

    @Override
    public void closeStdin(String identifier) {
        execute(api.closeStdin(segment(identifier)));
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return execute(api.logs(segment(identifier)), WireJson::toDomain);
    }

    /**
     * The log stream, resumed by itself after a dropped connection from the last cursor it delivered
     * ({@link ResumingLogStream}); against a server without cursors, the plain text stream read once.
     */
    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return streamLogs(identifier, 0, listener);
    }

    @Override
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return ResumingLogStream.open(streamingApi, segment(identifier), cursor, listener);
    }

    /** A stream's closing line ({@code CLOSED}, {@code [closed: …]}): the server ended it for this reader. */
    private static final class ClosedByServer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClosedByServer(String reason) {
            super(String.valueOf(reason), null, false, false);
        }
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
        Response<ResponseBody> response = SandgateCallAdapterFactory.response(call);
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (ResponseBody body = response.body()) {
                BufferedSource source = body.source();
                String line;
                while ((line = source.readUtf8Line()) != null && !cancelled.get()) {
                    if (!line.isBlank() && !line.startsWith("[keepalive]")) {
                        lines.line(line);
                    }
                }
                if (!cancelled.get()) {
                    lines.ended();
                }
            } catch (IOException e) {
                if (!cancelled.get()) {
                    lines.failed(SandgateCallAdapterFactory.transport(call, e));
                }
            } catch (ClosedByServer closed) {
                if (!cancelled.get()) {
                    lines.failed(new SandgateException.Unavailable("the stream was closed by the server: "
                            + closed.getMessage()));
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
    public LogSubscription watch(SandboxPath path, List<String> ignore, FileEventListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        var events = WireJson.adapter(Wire.FileEvent.class);
        Call<ResponseBody> call = streamingApi.watch(segment(path.value()),
                ignore.isEmpty() ? null : String.join(",", ignore));
        return readLines(call, "sandgate-watch", new Lines() {
            @Override
            public void line(String line) throws IOException {
                Wire.FileEvent event = events.fromJson(line);
                if (event != null && "CLOSED".equals(event.op())) {
                    throw new ClosedByServer(event.reason());
                }
                WireJson.toDomain(event).ifPresent(listener::onEvent);
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
        return execute(api.file(segment(path.value())));
    }

    @Override
    public FileEntry stat(SandboxPath path) {
        Wire.FileOrDirectory f = fetch(path);
        return WireJson.toEntry(f, path, WireJson.isDirectory(f));
    }

    /**
     * {@code fs.read} in one request: {@code GET /filesystem/<path>} answers a file with its {@code content}, decoded
     * as UTF-8 by the sandbox API as {@link FileContent#text()} decodes it.
     */
    @Override
    public String readText(SandboxPath path) {
        Wire.FileOrDirectory f = fetch(path);
        if (WireJson.isDirectory(f)) {
            throw new SandgateException.InvalidRequest(path + " is a directory");
        }
        if (f.content() == null) {
            throw new SandgateException.InvalidRequest(path + " is not a regular file");
        }
        return f.content();
    }

    /**
     * The bytes need the download ({@code Accept: application/octet-stream}): the JSON answer's text cannot carry
     * bytes that are not UTF-8. Its metadata (and whether it is a directory) comes from the JSON answer first.
     */
    @Override
    public FileContent readFile(SandboxPath path) {
        Wire.FileOrDirectory f = fetch(path);
        if (WireJson.isDirectory(f)) {
            throw new SandgateException.InvalidRequest(path + " is a directory");
        }
        Call<ResponseBody> download = api.download(segment(path.value()));
        try (ResponseBody body = execute(download)) {
            return new FileContent(WireJson.toEntry(f, path, false), body.bytes());
        } catch (IOException e) {
            throw SandgateCallAdapterFactory.transport(download, e);
        }
    }

    /** {@code fs.find} in one call: {@code GET /filesystem-find/<path>}. */
    @Override
    public List<FindMatch> find(SandboxPath root, FindQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        return execute(api.find(segment(root.value()), query.type().orElse(null), joined(query.patterns()),
                query.maxResults(), joined(query.excludeDirs()), query.excludeHidden() ? Boolean.TRUE : null),
                WireJson::toDomain);
    }

    /** {@code fs.grep} in one call: {@code GET /filesystem-content-search/<path>}. */
    @Override
    public List<GrepMatch> grep(SandboxPath root, GrepQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        return execute(api.grep(segment(root.value()), query.query(), query.maxResults(),
                query.caseSensitive() ? Boolean.TRUE : null, query.contextLines() > 0 ? query.contextLines() : null,
                query.filePattern().orElse(null), joined(query.excludeDirs())), WireJson::toDomain);
    }

    private static String joined(List<String> values) {
        return values.isEmpty() ? null : String.join(",", values);
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
        execute(api.upload(segment(path.value()), file, RequestBody.create(mode, TEXT),
                RequestBody.create(path.value(), TEXT)));
        return stat(path);
    }

    @Override
    public FileEntry makeDirectory(SandboxPath path, String permissions) {
        execute(api.write(segment(path.value()),
                new Wire.FileWrite(null, Boolean.TRUE, FileEntry.requirePermissions(permissions))));
        return stat(path);
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        execute(api.remove(segment(path.value()), recursive));
    }
}
