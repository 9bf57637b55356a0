package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.FileEventListener;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fs.watch}: {@code GET /watch/filesystem/<path>?ignore=a,b} streams the lines of {@link FileWire#WATCH_STREAM}
 * until the client goes away. A missing directory is a plain 404 and a file a 400, before any byte of the stream.
 * Mounted by {@link BrokerRoutes}.
 */
final class WatchRoutes {
    private final SandboxCalls calls;
    private final LineStream.Streams streams;

    WatchRoutes(SandboxCalls calls, LineStream.Streams streams) {
        this.calls = calls;
        this.streams = streams;
    }

    void watch(RoutingContext ctx) {
        SandboxPath path = RawPath.sandboxPath(FileRoutes.rawTail(ctx, 2));
        List<String> ignore = SearchRoutes.commaList(ctx.request().getParam("ignore"));
        // Watch before the answer starts, so that a change made right after the client sees the 200 is reported;
        // what comes before the stream is attached is held (a bounded number of events) and then sent.
        WatchRelay relay = new WatchRelay();
        calls.on(ctx, dp -> {
            if (!dp.stat(path).directory()) {
                throw new SandgateException.InvalidRequest(path + " is a file, not a directory");
            }
            return dp.watch(path, ignore, relay);
        }, subscription -> LineStream.of(streams, ctx, FileWire.WATCH_STREAM).start(sink -> {
            relay.attach(sink);
            return subscription;
        }));
    }

    /** Holds the events of a watch until its stream is attached (a bounded number), then hands each on. */
    private static final class WatchRelay implements FileEventListener {
        private static final int MAX_HELD = 10_000;
        private final List<FileEvent> held = new ArrayList<>();
        private LineStream.Sink<FileEvent> target;
        private boolean overflowed;

        @Override
        public synchronized void onEvent(FileEvent event) {
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

        synchronized void attach(LineStream.Sink<FileEvent> sink) {
            target = sink;
            held.forEach(sink::item);
            held.clear();
            if (overflowed) {
                sink.error(new SandgateException.Unavailable("too many changes at once"));
            }
        }
    }
}
