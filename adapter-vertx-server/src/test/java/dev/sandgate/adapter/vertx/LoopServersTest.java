package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.ports.contract.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's ports are served from several event loops ({@link LoopServers}), and the proxy's requests keep to the
 * loop that made them ({@link PerLoopHttpClient}): what lets the preview proxy use more than one core.
 */
class LoopServersTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void connections_to_one_port_are_served_on_as_many_event_loops_as_asked() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        LoopServers servers = new LoopServers(vertx, 2, () -> vertx.createHttpServer().requestHandler(request -> {
            threads.add(Thread.currentThread().getName());
            request.response().end("ok");
        }));
        await(servers.listen("127.0.0.1", 0));
        assertThat(servers.actualPort()).isPositive();
        // each request on a connection of its own: Vert.x hands accepted connections to the servers in turn
        Eventually.await("requests served on two event loops", Duration.ofSeconds(20), () -> {
            try {
                assertThat(getOnNewConnection(servers.actualPort())).isEqualTo("ok");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return threads.size() == 2;
        });
        assertThat(threads).allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
    }

    @Test
    void two_sets_on_free_ports_get_ports_of_their_own() throws Exception {
        LoopServers a = new LoopServers(vertx, 2, () -> vertx.createHttpServer().requestHandler(r -> r.response()
                .end("a")));
        LoopServers b = new LoopServers(vertx, 2, () -> vertx.createHttpServer().requestHandler(r -> r.response()
                .end("b")));
        await(a.listen("127.0.0.1", 0));
        await(b.listen("127.0.0.1", 0));
        assertThat(a.actualPort()).isNotEqualTo(b.actualPort());
        for (int i = 0; i < 6; i++) {
            assertThat(getOnNewConnection(a.actualPort())).isEqualTo("a");
            assertThat(getOnNewConnection(b.actualPort())).isEqualTo("b");
        }
    }

    @Test
    void closing_stops_listening_on_every_loop() throws Exception {
        LoopServers servers = new LoopServers(vertx, 2, () -> vertx.createHttpServer().requestHandler(r -> r.response()
                .end("ok")));
        await(servers.listen("127.0.0.1", 0));
        int port = servers.actualPort();
        await(servers.close());
        // the listening socket is Vert.x's, shared by the loops' servers: it is released once the last one closed
        Eventually.await("nothing listens on port " + port + " any more",
                Duration.ofSeconds(5), () -> refusesConnections(port));
    }

    private static boolean refusesConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    @Test
    void a_request_made_on_another_event_loop_gets_a_connection_of_that_loop() throws Exception {
        Set<String> origins = ConcurrentHashMap.newKeySet(); // the client side of each connection the origin sees
        int port = await(vertx.createHttpServer()
                .connectionHandler(c -> origins.add(c.remoteAddress().toString()))
                .requestHandler(r -> r.response().end("ok"))
                .listen(0, "127.0.0.1")).actualPort();
        HttpClient client = new PerLoopHttpClient(() -> vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4)));
        var first = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
        var second = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
        assertThat(first.nettyEventLoop()).isNotSameAs(second.nettyEventLoop());
        // one after the other, so that one shared pool would have reused the first connection
        assertThat(getOn(first, client, port)).isEqualTo("ok");
        assertThat(getOn(first, client, port)).isEqualTo("ok");
        assertThat(origins).hasSize(1);
        assertThat(getOn(second, client, port)).isEqualTo("ok");
        assertThat(origins).hasSize(2);
        await(client.close());
    }

    private static String getOn(io.vertx.core.Context context, HttpClient client, int port) throws Exception {
        io.vertx.core.Promise<String> body = io.vertx.core.Promise.promise();
        context.runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                        .setPort(port).setURI("/"))
                .compose(request -> request.send().compose(response -> response.body()))
                .map(Object::toString).onComplete(body));
        return await(body.future());
    }

    /** The body of {@code GET /} sent on a connection of its own, closed after the answer. */
    private static String getOnNewConnection(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
