package dev.sandgate.adapter.vertx;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An {@link HttpClient} with a connection pool of its own per event loop. Vert.x's pool is one per client: with
 * the broker listening on several event loops ({@link LoopServers}), a request on one loop would often be given a
 * connection opened on another, and every event of its answer would then hop between the two threads. Here a
 * request made on an event loop gets the pool of that loop, whose connections were all opened on it, so a proxied
 * request stays on the thread that received it. Requests made elsewhere (a worker) share one more pool.
 */
final class PerLoopHttpClient implements HttpClient {
    private final Supplier<HttpClient> clients;
    private final Map<Thread, HttpClient> byLoop = new ConcurrentHashMap<>();
    private final HttpClient offLoop;
    private volatile boolean shutDown;

    /** {@code clients} makes one client (one pool); called once per event loop that makes a request, and once more. */
    PerLoopHttpClient(Supplier<HttpClient> clients) {
        this.clients = clients;
        this.offLoop = clients.get();
    }

    @Override
    public Future<HttpClientRequest> request(RequestOptions options) {
        return current().request(options);
    }

    private HttpClient current() {
        if (shutDown || !Context.isOnEventLoopThread()) {
            return offLoop;
        }
        Thread loop = Thread.currentThread();
        HttpClient client = byLoop.get(loop);
        return client != null ? client : byLoop.computeIfAbsent(loop, t -> clients.get());
    }

    @Override
    public Future<Void> shutdown(Duration timeout) {
        shutDown = true; // no pool made from now on: a request now fails on the closed one
        java.util.List<Future<Void>> all = new java.util.ArrayList<>();
        all.add(offLoop.shutdown(timeout));
        byLoop.values().forEach(client -> all.add(client.shutdown(timeout)));
        return Future.all(all).mapEmpty();
    }
}
