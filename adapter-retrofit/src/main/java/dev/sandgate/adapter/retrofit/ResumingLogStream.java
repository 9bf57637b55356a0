package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import retrofit2.Call;
import retrofit2.Response;

/**
 * A process's log stream that survives a dropped connection: it reads a Sandgate broker's NDJSON log stream, keeps
 * the cursor of the last line it delivered, and when the connection breaks (or the broker says this reader fell
 * behind) it asks again with {@code ?since=<cursor>}, so every line is delivered once, in order; a line whose cursor
 * is not past the last one is never delivered twice. A restart of the process after a failure reaches
 * {@link LogListener#onRestarted}. It ends with the broker's {@code end} object: {@link LogListener#onEnd} when the
 * process exited, was stopped or killed, {@code onError} when it says {@code revoked} (the session, its token or its
 * preview deleted or expired), as it does for a {@code closed} one; or with an answer that is not a transport
 * failure (the process is gone: {@code onError}), or after {@link #MAX_ATTEMPTS} reconnections in a row that fail. A server that answers the plain text stream (Blaxel's own) is read once, as the SDK reads it.
 *
 * <p>The first request runs on the caller's thread, so that an unknown process is thrown as the port says; the rest
 * on a daemon thread of its own.
 */
final class ResumingLogStream implements LogSubscription {
    static final int MAX_ATTEMPTS = 20;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final DataPlaneApi api;
    private final LogListener listener;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicReference<Call<ResponseBody>> current = new AtomicReference<>();
    private final com.squareup.moshi.JsonAdapter<Wire.StreamEvent> events = WireJson.adapter(Wire.StreamEvent.class);
    private String identifier;
    private long last;

    private ResumingLogStream(DataPlaneApi api, String identifier, long after, LogListener listener) {
        this.api = api;
        this.identifier = identifier;
        this.last = after;
        this.listener = listener;
    }

    /**
     * Opens the stream of {@code identifier} (an encoded path segment) after cursor {@code after} (0: from the first
     * line kept) and reads it on a thread of its own.
     */
    static LogSubscription open(DataPlaneApi api, String identifier, long after, LogListener listener) {
        if (after < 0) {
            throw new SandgateException.InvalidRequest("cursor " + after + " must not be negative");
        }
        ResumingLogStream stream = new ResumingLogStream(api, identifier, after, listener);
        Response<ResponseBody> first = stream.request();
        // resume by pid: a name may later mean a newer process
        String pid = first.headers().get("X-Sandgate-Pid");
        if (pid != null && !pid.isBlank()) {
            stream.identifier = WireJson.segment(pid);
        }
        Thread reader = new Thread(() -> stream.run(first), "sandgate-log-stream");
        reader.setDaemon(true);
        reader.start();
        return stream;
    }

    private Response<ResponseBody> request() {
        Call<ResponseBody> call = api.streamLogsAfter(identifier, last == 0 ? null : last);
        current.set(call);
        if (cancelled.get()) {
            call.cancel();
        }
        return SandgateCallAdapterFactory.response(call);
    }

    private enum Outcome { ENDED, BROKEN }

    private void run(Response<ResponseBody> first) {
        Response<ResponseBody> response = first;
        int failures = 0;
        Duration backoff = FIRST_BACKOFF;
        SandgateException lastFailure = null;
        while (!cancelled.get()) {
            if (response != null) {
                long before = last;
                Outcome outcome;
                try {
                    outcome = read(response.body());
                } catch (SandgateException e) {
                    deliverError(e);
                    return;
                }
                if (outcome == Outcome.ENDED || cancelled.get()) {
                    return;
                }
                if (last > before) {
                    failures = 0;
                    backoff = FIRST_BACKOFF;
                }
                response = null;
            }
            if (++failures > MAX_ATTEMPTS) {
                deliverError(lastFailure != null ? lastFailure : new SandgateException.Unavailable(
                        "the log stream broke " + MAX_ATTEMPTS + " times in a row"));
                return;
            }
            try {
                Thread.sleep(backoff.toMillis()); // a back-off between reconnections, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            try {
                response = request();
            } catch (SandgateException.Unavailable e) {
                lastFailure = e; // the broker is unreachable for now: try again
            } catch (SandgateException e) {
                deliverError(e); // the process is gone, the credential refused: resuming cannot help
                return;
            }
        }
    }

    /** Reads one answer until its end ({@code ENDED}) or until it broke and must be resumed ({@code BROKEN}). */
    private Outcome read(ResponseBody body) {
        MediaType type = body.contentType();
        boolean ndjson = type != null && type.subtype().contains("ndjson");
        try (body) {
            BufferedSource source = body.source();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (cancelled.get()) {
                    return Outcome.ENDED;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (!ndjson) {
                    plain(line);
                    continue;
                }
                Wire.StreamEvent event;
                try {
                    event = events.fromJson(line);
                } catch (IOException | RuntimeException e) {
                    throw new SandgateException.Unavailable("a streamed line was malformed: " + e.getMessage(), e);
                }
                if (event == null || event.type() == null) {
                    continue;
                }
                switch (event.type()) {
                    case "stdout" -> line(LogLine.stdout(String.valueOf(event.data())), event.cursor());
                    case "stderr" -> line(LogLine.stderr(String.valueOf(event.data())), event.cursor());
                    case "truncated" -> {
                        if (event.count() != null && event.count() > 0) {
                            listener.onDropped(event.count());
                        }
                    }
                    case "dropped" -> {
                        return Outcome.BROKEN; // this reader fell behind: the broker still has the lines, resume
                    }
                    case "closed" -> throw new SandgateException.Unavailable("the stream was closed by the server: "
                            + event.reason());
                    case "restarted" -> {
                        if (!cancelled.get() && event.exitCode() != null && event.restartCount() != null) {
                            listener.onRestarted(event.exitCode(), event.restartCount());
                        }
                    }
                    case "end" -> {
                        if ("revoked".equals(event.how())) {
                            // the credential that opened it lapsed: resuming with it cannot help
                            throw new SandgateException.Unavailable("the stream was closed by the server: "
                                    + event.reason());
                        }
                        if (!cancelled.get()) {
                            listener.onEnd();
                        }
                        return Outcome.ENDED;
                    }
                    default -> {
                        // keepalive, and what a later broker may add
                    }
                }
            }
            if (!ndjson) {
                if (!cancelled.get()) {
                    listener.onEnd();
                }
                return Outcome.ENDED;
            }
            return Outcome.BROKEN; // the answer ended without its end object: the connection was cut
        } catch (IOException e) {
            if (!ndjson) {
                throw new SandgateException.Unavailable("the log stream failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            }
            return Outcome.BROKEN;
        }
    }

    private void line(LogLine line, Long cursor) {
        if (cancelled.get()) {
            return;
        }
        long c = cursor == null ? 0 : cursor;
        if (c != 0 && c <= last) {
            return; // delivered already
        }
        if (c > last) {
            last = c;
        }
        listener.onLine(line, c);
    }

    /** A line of the text stream a server without NDJSON answers (read as the SDK does, no resuming). */
    private void plain(String line) {
        if (line.startsWith("[keepalive]") || line.startsWith("[dropped ")) {
            return;
        }
        if (line.startsWith("[closed: ") && line.endsWith("]")) {
            throw new SandgateException.Unavailable("the stream was closed by the server: "
                    + line.substring("[closed: ".length(), line.length() - 1));
        }
        if (line.startsWith("stdout:")) {
            listener.onLine(LogLine.stdout(line.substring(7)));
        } else if (line.startsWith("stderr:")) {
            listener.onLine(LogLine.stderr(line.substring(7)));
        } else {
            listener.onLine(LogLine.stdout(line));
        }
    }

    private void deliverError(SandgateException error) {
        if (!cancelled.get()) {
            listener.onError(error);
        }
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            Call<ResponseBody> call = current.get();
            if (call != null) {
                call.cancel();
            }
        }
    }
}
