package dev.sandgate.adapter.vertx;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One listening port served from several event loops: one {@link HttpServer} per loop, all listening on the same
 * address, among which Vert.x spreads the accepted connections. A single server runs on one event loop, so it can use
 * one core at most, however many the machine has (docs/benchmarks.md: one loop per core is what lets the preview
 * proxy keep up with an nginx proxy of one worker per core).
 *
 * <p>Each server listens from an event-loop context of its own on a distinct loop (Vert.x's internal context builder:
 * the public way, a verticle deployed with several instances, would make every deployment a request handler starts
 * a child of the broker's and undeploy it behind its owner's back). {@link #close()} closes them all.
 */
final class LoopServers {
    /** Negative ports, one per set listening on a free port (see {@link #listen}). */
    private static final AtomicInteger RANDOM_PORTS = new AtomicInteger(-1_000_000);
    /** Where the next set starts in the event-loop group, so that the ports' first servers do not all share one. */
    private static final AtomicInteger NEXT_LOOP = new AtomicInteger();
    private final VertxInternal vertx;
    private final int loops;
    private final Supplier<HttpServer> servers;
    private final List<HttpServer> listening = new CopyOnWriteArrayList<>();
    private volatile int actualPort = -1;

    /** {@code servers} makes one (not yet listening) server, with its handlers; called once per loop. */
    LoopServers(Vertx vertx, int loops, Supplier<HttpServer> servers) {
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be at least 1");
        }
        this.vertx = (VertxInternal) vertx;
        this.loops = loops;
        this.servers = servers;
    }

    /** The number of event loops a server of the broker listens on: one per core the JVM may use. */
    static int perCore() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Listens on {@code host:port} from every loop; completes once all listen, or fails (nothing left listening). */
    Future<LoopServers> listen(String host, int port) {
        // Vert.x shares one socket among the servers of a Vert.x instance that listen on the same host and port,
        // and, for port 0, among those that listen on the same negative port (a free port is picked for them):
        // a number of this set's own, so that it shares with no other server
        int shared = port == 0 ? RANDOM_PORTS.decrementAndGet() : port;
        List<EventLoop> group = new ArrayList<>();
        vertx.eventLoopGroup().forEach(executor -> group.add((EventLoop) executor));
        int first = Math.floorMod(NEXT_LOOP.getAndIncrement(), group.size());
        List<Future<HttpServer>> all = new ArrayList<>();
        for (int i = 0; i < Math.min(loops, group.size()); i++) {
            ContextInternal context = vertx.contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP)
                    .withEventLoop(group.get((first + i) % group.size())).build();
            Promise<HttpServer> bound = Promise.promise();
            context.runOnContext(v -> {
                HttpServer server = servers.get();
                listening.add(server);
                server.listen(shared, host).onSuccess(s -> actualPort = s.actualPort()).onComplete(bound);
            });
            all.add(bound.future());
        }
        return Future.all(all).<LoopServers>map(this).recover(e -> close().transform(v -> Future.failedFuture(e)));
    }

    /** The port listened on, once {@link #listen} has succeeded; -1 before. */
    int actualPort() {
        return actualPort;
    }

    /** Stops listening on every loop (each server's connections closed). */
    Future<Void> close() {
        List<HttpServer> all = List.copyOf(listening);
        listening.clear();
        return Future.all(all.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
