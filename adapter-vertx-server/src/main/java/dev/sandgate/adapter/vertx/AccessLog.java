package dev.sandgate.adapter.vertx;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per request, at INFO on the logger {@value #LOGGER}, so that operators can route it
 * apart from the broker's other lines. Every request of every port (the broker's, the previews' own origins) passes
 * {@link #begin} before any dispatch, answers written before routing and by the failure handler included; its line
 * is written once, when the answer's last byte is handed to the connection, or when the connection closes first (a
 * reset, a client gone, a WebSocket tunnel's end: its duration is the tunnel's life).
 *
 * <p>A line: {@code {"face":"session","method":"GET","path":"/s/box/session-1/process","sandbox":"box",
 * "status":200,"durationMs":3,"bytesOut":412,"client":"127.0.0.1"}}, with {@code "completed":false} added when the
 * connection closed before the answer ended. {@code path} is the raw path without its query string (a preview token
 * may travel there), cut at {@value #MAX_PATH} characters; no header, cookie or query value is ever written, so no
 * token or key is. {@code face} is {@code control} ({@code /v0}), {@code sandbox} (a sandbox's {@code metadata.url}),
 * {@code session} ({@code /s/...}), {@code preview} (path form, host-named or own origin) or {@code other}.
 *
 * <p>A line is made on the thread that ends the request and written by one thread of its own
 * ({@link AccessLineWriter}): an event loop never waits for where lines go, and when they cannot go as fast as
 * requests come, lines are dropped and counted rather than waited for. slf4j's backend decides where they go (the
 * program writes them to standard error with its other lines).
 */
final class AccessLog implements AutoCloseable {
    /** The logger name access lines are written on. */
    static final String LOGGER = "sandgate.access";
    static final int MAX_PATH = 512;
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** What a request was for, as far as its port, host and path tell before any routing. */
    record Target(String face, Optional<String> sandbox) {
    }

    private final boolean enabled;
    private final String workspace;
    private final Optional<AccessLineWriter> writer;
    /** The requests whose line is not written yet, by connection (HTTP/1.1 answers one request at a time). */
    private final Map<HttpConnection, Entry> open = new ConcurrentHashMap<>();
    private volatile Function<HttpServerRequest, Optional<Target>> previews = request -> Optional.empty();

    AccessLog(boolean enabled, String workspace) {
        this(enabled, workspace, LOG::info);
    }

    /** As the broker's, with each line going to {@code sink} (for tests). */
    AccessLog(boolean enabled, String workspace, Consumer<String> sink) {
        this.enabled = enabled;
        this.workspace = workspace;
        this.writer = enabled ? Optional.of(new AccessLineWriter(sink, AccessLineWriter.CAPACITY)) : Optional.empty();
    }

    /** Lines dropped because their destination fell behind. */
    long dropped() {
        return writer.map(AccessLineWriter::dropped).orElse(0L);
    }

    /** Writes the lines still waiting, then stops writing. */
    @Override
    public void close() {
        writer.ifPresent(AccessLineWriter::close);
    }

    /** How to tell a preview request (host-named, own origin) and its sandbox; set once serving starts. */
    void previewsBy(Function<HttpServerRequest, Optional<Target>> previews) {
        this.previews = previews;
    }

    /** A request's headers arrived: its line is written when its answer ends or its connection closes. */
    void begin(HttpServerRequest request) {
        if (!enabled) {
            return;
        }
        Entry entry = new Entry(request, System.nanoTime());
        HttpConnection connection = request.connection();
        if (connection != null) {
            Entry previous = open.put(connection, entry);
            if (previous != null) {
                previous.write();
            }
        }
        request.response().bodyEndHandler(v -> {
            if (connection != null) {
                open.remove(connection, entry);
            }
            entry.write();
        });
    }

    /** A connection closed: the request it was answering, if any, gets its line now. */
    void closed(HttpConnection connection) {
        if (!enabled) {
            return;
        }
        Entry entry = open.remove(connection);
        if (entry != null) {
            entry.write();
        }
    }

    /** The face and sandbox of a request to the broker's own host names, from its path. */
    Target target(HttpServerRequest request) {
        Optional<Target> preview = previews.apply(request);
        if (preview.isPresent()) {
            return preview.get();
        }
        List<String> segments = RawPath.segments(request.path() == null ? "/" : request.path());
        String first = segments.isEmpty() ? "" : segments.get(0);
        if (first.equals("v0")) {
            boolean named = segments.size() >= 3 && segments.get(1).equals("sandboxes")
                    && !segments.get(2).equals("by-external-id");
            return new Target("control", named ? Optional.of(cut(segments.get(2))) : Optional.empty());
        }
        if ((first.equals("s") || first.equals("p")) && segments.size() >= 2) {
            return new Target(first.equals("s") ? "session" : "preview", Optional.of(cut(segments.get(1))));
        }
        if (first.equals(workspace) && segments.size() >= 3 && segments.get(1).equals("sandboxes")) {
            return new Target("sandbox", Optional.of(cut(segments.get(2))));
        }
        return new Target("other", Optional.empty());
    }

    /** A path segment as a sandbox name: no longer than a name can be (a longer one names none anyway). */
    private static String cut(String segment) {
        return segment.length() > 63 ? segment.substring(0, 63) + "..." : segment;
    }

    private final class Entry {
        private final HttpServerRequest request;
        private final long started;
        private boolean written;

        Entry(HttpServerRequest request, long started) {
            this.request = request;
            this.started = started;
        }

        synchronized void write() {
            if (written) {
                return;
            }
            written = true;
            try {
                writer.ifPresent(w -> w.offer(line().encode()));
            } catch (RuntimeException e) {
                // a line that cannot be written must not break the answer
                LOG.debug("access line not written", e);
            }
        }

        private JsonObject line() {
            HttpServerResponse response = request.response();
            Target target = target(request);
            String path = request.path() == null ? "" : request.path();
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            if (path.length() > MAX_PATH) {
                path = path.substring(0, MAX_PATH) + "...";
            }
            JsonObject line = new JsonObject()
                    .put("face", target.face())
                    .put("method", request.method().name())
                    .put("path", path);
            target.sandbox().ifPresent(sandbox -> line.put("sandbox", sandbox));
            line.put("status", response.getStatusCode())
                    .put("durationMs", (System.nanoTime() - started) / 1_000_000)
                    .put("bytesOut", response.bytesWritten())
                    .put("client", Failures.address(request.remoteAddress()));
            if (!response.ended()) {
                line.put("completed", false);
            }
            return line;
        }
    }
}
