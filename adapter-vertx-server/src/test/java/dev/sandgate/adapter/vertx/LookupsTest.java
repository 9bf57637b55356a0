package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's lookup runs on the event loop only once its store has shown it answers from memory, and goes back to
 * workers as soon as a few calls in a row are slow: a store that blocks may cost the event loop those few calls, never
 * a stream of them; one slow call between fast ones (the machine paused the loop) does not send lookups back.
 */
class LookupsTest {
    private Vertx vertx;
    private WorkerExecutor workers;
    private HttpServer server;
    private Lookups lookups;
    /** How long each lookup takes, in microseconds (busy-waited: the point is that it holds its thread). */
    private final AtomicLong lookupMicros = new AtomicLong();
    private final AtomicBoolean lastOnEventLoop = new AtomicBoolean();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        workers = vertx.createSharedWorkerExecutor("lookups-test", 4);
        lookups = new Lookups(workers);
        Router router = Router.router(vertx);
        router.route().handler(ctx -> lookups.run(ctx, () -> {
            lastOnEventLoop.set(Context.isOnEventLoopThread());
            long until = System.nanoTime() + lookupMicros.get() * 1_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return "found";
        }, found -> ctx.response().end(found)));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private void request() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("found");
    }

    @Test
    void an_in_memory_lookup_moves_to_the_event_loop_after_its_proof() throws Exception {
        int onWorkers = 0;
        // the proof is a run of fast lookups in a row; a busy machine may break a run, so allow a few
        while (!lookups.inline() && onWorkers < 20 * Lookups.PROOF) {
            request();
            assertThat(lastOnEventLoop).isFalse();
            onWorkers++;
        }
        assertThat(onWorkers).isGreaterThanOrEqualTo(Lookups.PROOF);
        assertThat(lookups.inline()).isTrue();

        request();

        assertThat(lastOnEventLoop).isTrue();
    }

    @Test
    void a_lookup_over_the_network_never_runs_on_the_event_loop() throws Exception {
        lookupMicros.set(Lookups.FAST_MICROS * 3); // a Redis round trip is slower than this
        for (int i = 0; i < Lookups.PROOF + 50; i++) {
            request();
            assertThat(lastOnEventLoop).isFalse();
        }
        assertThat(lookups.inline()).isFalse();
    }

    @Test
    void a_store_that_starts_blocking_sends_the_lookups_back_to_workers_after_a_few_calls() throws Exception {
        becomeInline();
        lookupMicros.set(Lookups.SLOW_INLINE_MICROS * 5); // the store started blocking

        for (int i = 0; i < Lookups.SLOW_IN_A_ROW; i++) {
            request();
            assertThat(lastOnEventLoop).isTrue(); // those few calls paid for it
        }
        request();

        assertThat(lastOnEventLoop).isFalse();
        assertThat(lookups.inline()).isFalse();
    }

    @Test
    void one_slow_lookup_between_fast_ones_keeps_the_lookups_on_the_event_loop() throws Exception {
        becomeInline();

        for (int round = 0; round < 5; round++) {
            lookupMicros.set(Lookups.SLOW_INLINE_MICROS * 5); // a pause of the machine during one call
            request();
            lookupMicros.set(0);
            request();
        }

        assertThat(lookups.inline()).isTrue();
        request();
        assertThat(lastOnEventLoop).isTrue();
    }

    private void becomeInline() throws Exception {
        for (int i = 0; !lookups.inline() && i < 20 * Lookups.PROOF; i++) {
            request();
        }
        assertThat(lookups.inline()).isTrue();
    }
}
