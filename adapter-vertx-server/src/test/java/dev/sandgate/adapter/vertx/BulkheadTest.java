package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One sandbox's calls hold at most its share of the pool; the rest wait, then are refused; others run. */
class BulkheadTest {
    private final Vertx vertx = Vertx.vertx();
    private final WorkerExecutor pool = vertx.createSharedWorkerExecutor("bulkhead-test", 8);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        vertx.close().await();
    }

    private Integer blockUntilReleased() throws InterruptedException {
        release.await(30, TimeUnit.SECONDS);
        return 1;
    }

    @Test
    void a_sandbox_past_its_share_and_its_queue_is_refused_while_another_sandbox_runs_at_once() throws Exception {
        Bulkhead bulkhead = new Bulkhead(vertx, pool, 2, 3, "calls");
        SandboxName greedy = SandboxName.of("greedy");
        List<Future<Integer>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(bulkhead.execute(greedy, this::blockUntilReleased));
        }

        Future<Integer> refused = bulkhead.execute(greedy, () -> 1);
        Future<String> other = bulkhead.execute(SandboxName.of("other"), () -> "ran");

        assertThat(other.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(refused.failed()).isTrue();
        assertThat(refused.cause()).isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("greedy").hasMessageContaining("too many calls");
        release.countDown();
        for (Future<Integer> f : held) {
            assertThat(f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(bulkhead.execute(greedy, () -> 2).toCompletionStage().toCompletableFuture()
                .get(5, TimeUnit.SECONDS)).isEqualTo(2);
    }
}
