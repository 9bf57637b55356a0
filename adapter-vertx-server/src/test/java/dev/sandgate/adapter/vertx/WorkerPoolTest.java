package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client waiting on a process holds a waiting thread, never the threads every other request needs. */
class WorkerPoolTest {
    @Test
    void a_waiting_exec_does_not_starve_other_requests_even_with_one_thread_per_pool() throws Exception {
        try (BrokerFixture broker = new BrokerFixture(s -> s.toBuilder().workerPoolSize(1).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            SandboxName sandbox = broker.sandbox("busy");
            String base = broker.sandboxUrl(sandbox);
            CompletableFuture<HttpResponse<String>> waiting = broker.http.sendAsync(broker.withKey(base + "/process")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"long\",\"command\":\"sleep 600\",\"waitForCompletion\":true,\"timeout\":30}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Eventually.await(() -> broker.get("/" + BrokerFixture.WS + "/sandboxes/busy/process/long").statusCode() == 200);

            HttpResponse<String> other = broker.get("/v0/sandboxes");
            HttpResponse<String> stop = broker.delete("/" + BrokerFixture.WS + "/sandboxes/busy/process/long");

            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(stop.statusCode()).isEqualTo(200);
            HttpResponse<String> finished = waiting.get(10, TimeUnit.SECONDS);
            assertThat(BrokerFixture.json(finished).getString("status")).isEqualTo("stopped");
        }
    }

    /** Polls a condition with a deadline instead of sleeping for a guessed time. */
    private static final class Eventually {
        static void await(java.util.function.BooleanSupplier condition) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not met within 10 s");
                }
                Thread.onSpinWait();
            }
        }
    }
}
