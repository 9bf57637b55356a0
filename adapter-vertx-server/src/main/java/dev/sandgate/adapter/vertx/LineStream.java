package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One streamed answer (a log stream, a watch, a streamed exec) fed by a gateway's stream of {@code T}, one line each.
 *
 * <ul>
 * <li><b>Backpressure.</b> Items arrive on gateway threads and move to the request's event loop. A line is written
 * only while the connection's write queue has room ({@code writeQueueFull}); otherwise it waits, and the writing goes
 * on from the {@code drainHandler}. What this stream holds (lines waiting, plus what was written and not yet taken
 * by the socket) never passes {@link StreamSettings#maxBufferedBytes()}: lines beyond it are dropped and, once there
 * is room again, the client gets one {@link Format#dropped(long)} line saying how many (the process's own output buffer
 * still has them: the logs call answers them).</li>
 * <li><b>Revocation.</b> A stream opened with a session token is bound to its {@link AccessDecision.Grant}; when that
 * lapses ({@link OpenGrants}) the client gets a last {@link Format#closing} line saying why, then the end.</li>
 * <li>The subscription is released when the client goes away or the stream ends, and so is the session's stream
 * quota it held ({@link QuotaCheck}).</li>
 * </ul>
 */
final class LineStream<T> {
    /**
     * Room kept under {@link StreamSettings#maxBufferedBytes()} for the stream's own short lines (keepalives, the
     * dropped-lines note); a stream's last line (an exec's result, the reason it was closed) is written whatever.
     */
    static final long CONTROL_RESERVE = 4 * 1024;

    /**
     * How one kind of stream writes its lines, kept with its wire mapping ({@link ProcessWire}, {@link FileWire}):
     * an item, the keepalive readers skip, the note of what a slow reader missed, and the last line when the
     * credential that opened the stream lapses.
     */
    interface Format<T> {
        String contentType();

        Buffer line(T item);

        Buffer keepalive();

        /** The line that tells a slow client how many lines it missed. */
        Buffer dropped(long lines);

        /** The last line when the credential that opened the stream lapses. */
        Buffer closing(String reason);
    }

    /**
     * What a stream does once its source ended on its own, on the event loop: it may {@link #write} a last line
     * (an exec's result) and must eventually run {@code end}.
     */
    interface Finish<T> {
        void finish(LineStream<T> stream, Runnable end);
    }

    /** Where a gateway's stream is handed to a {@link LineStream}, from any thread. */
    interface Sink<T> {
        void item(T item);

        /** The source ended on its own (the process exited). */
        void end();

        void error(SandgateException error);
    }

    /** Shared by a broker's streams: its pools, its settings, and the most any one stream held (for tests). */
    static final class Streams {
        final Vertx vertx;
        final WorkerExecutor workers;
        final Duration keepalive;
        final StreamSettings settings;
        final OpenGrants grants;
        final BrokerMeters meters;
        final AtomicLong highWater = new AtomicLong();

        Streams(Vertx vertx, WorkerExecutor workers, Duration keepalive, StreamSettings settings, OpenGrants grants,
                BrokerMeters meters) {
            this.meters = meters;
            this.vertx = vertx;
            this.workers = workers;
            this.keepalive = keepalive;
            this.settings = settings;
            this.grants = grants;
        }
    }

    private final Streams streams;
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Context context;
    private final Format<T> format;
    private final Finish<T> finish;
    /** Bytes accepted and not yet taken by the socket: waiting in {@link #waiting}, or written and unflushed. */
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicReference<LogSubscription> subscription = new AtomicReference<>();
    private OpenGrants.Registration registration = () -> {
    };
    private long timer = -1;

    private LineStream(Streams streams, RoutingContext ctx, Format<T> format, Finish<T> finish) {
        this.streams = streams;
        this.ctx = ctx;
        this.response = ctx.response();
        this.context = streams.vertx.getOrCreateContext();
        this.format = format;
        this.finish = finish;
    }

    /** A stream that ends when its source does. */
    static <T> LineStream<T> of(Streams streams, RoutingContext ctx, Format<T> format) {
        return new LineStream<>(streams, ctx, format, (stream, end) -> end.run());
    }

    /** A stream that runs {@code finish} when its source ends (to write a last line). */
    static <T> LineStream<T> of(Streams streams, RoutingContext ctx, Format<T> format, Finish<T> finish) {
        return new LineStream<>(streams, ctx, format, finish);
    }

    /** Writes a line the stream itself adds (a result, a keepalive) through the same queue; on the event loop. */
    void write(Buffer buffer) {
        if (done.get()) {
            return;
        }
        held.addAndGet(buffer.length());
        waiting.add(buffer);
        pump();
    }

    LineStream<T> start(Function<Sink<T>, LogSubscription> subscribe) {
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", format.contentType())
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        response.setWriteQueueMaxSize((int) Math.max(8 * 1024, streams.settings.maxBufferedBytes() / 2));
        response.writeHead();
        streams.meters.streamOpened();
        response.closeHandler(v -> stop());
        response.drainHandler(v -> pump());
        timer = streams.vertx.setPeriodic(streams.keepalive.toMillis(), t -> {
            Buffer keepalive = format.keepalive();
            if (waiting.isEmpty() && held.get() + keepalive.length() <= streams.settings.maxBufferedBytes()) {
                write(keepalive);
            }
        });
        RequestState.grant(ctx).ifPresent(grant ->
                registration = streams.grants.watch(grant, standing -> context.runOnContext(v -> revoked(standing))));
        Sink<T> sink = new Sink<>() {
            @Override
            public void item(T item) {
                Buffer buffer = format.line(item);
                if (held.addAndGet(buffer.length()) > streams.settings.maxBufferedBytes() - CONTROL_RESERVE) {
                    held.addAndGet(-buffer.length());
                    dropped.incrementAndGet();
                    return;
                }
                context.runOnContext(v -> {
                    waiting.add(buffer);
                    pump();
                });
            }

            @Override
            public void end() {
                context.runOnContext(v -> {
                    if (!done.get()) {
                        finishWith();
                    }
                });
            }

            @Override
            public void error(SandgateException error) {
                context.runOnContext(v -> end());
            }
        };
        streams.workers.executeBlocking(() -> subscribe.apply(sink), false).onComplete(ar -> {
            if (ar.failed()) {
                // The process went away between the check and the subscription: end the stream.
                end();
                return;
            }
            subscription.set(ar.result());
            if (done.get()) {
                cancel();
            }
        });
        return this;
    }

    private void finishWith() {
        finish.finish(this, this::end);
    }

    /** Writes what waits while the connection takes it; on the event loop. */
    private void pump() {
        if (response.closed() || response.ended()) {
            return;
        }
        streams.highWater.accumulateAndGet(held.get(), Math::max);
        long missed = dropped.get();
        if (missed > 0 && !response.writeQueueFull() && dropped.compareAndSet(missed, 0)) {
            Buffer note = format.dropped(missed);
            held.addAndGet(note.length());
            waiting.addFirst(note);
        }
        while (!waiting.isEmpty() && !response.writeQueueFull()) {
            Buffer next = waiting.poll();
            response.write(next).onComplete(ar -> held.addAndGet(-next.length()));
        }
    }

    private void revoked(AccessDecision.Standing standing) {
        if (done.get()) {
            return;
        }
        waiting.clear();
        write(format.closing(standing.reason()));
        end();
    }

    private void end() {
        stop();
        if (!response.closed() && !response.ended()) {
            // what still waits goes first; end() is queued behind it on the connection
            while (!waiting.isEmpty()) {
                Buffer next = waiting.poll();
                response.write(next).onComplete(ar -> held.addAndGet(-next.length()));
            }
            response.end();
        }
    }

    private void stop() {
        if (done.compareAndSet(false, true)) {
            streams.meters.streamClosed();
            RequestState.held(ctx).ifPresent(QuotaCheck.Held::releaseStreams);
            streams.vertx.cancelTimer(timer);
            registration.cancel();
            cancel();
        }
    }

    private void cancel() {
        LogSubscription s = subscription.getAndSet(null);
        if (s != null) {
            streams.workers.executeBlocking(() -> {
                s.cancel();
                return null;
            }, false);
        }
    }
}
