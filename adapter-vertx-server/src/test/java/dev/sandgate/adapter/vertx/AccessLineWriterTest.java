package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sandgate.ports.contract.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The access log's writer: the thread ending a request never waits for the lines' destination. */
class AccessLineWriterTest {

    /**
     * The destination takes nothing (a log reader that stopped reading): a thousand lines are handed over at once
     * all the same, those beyond what may wait are counted as dropped, and once the destination takes lines again,
     * every line not dropped reaches it, in order.
     */
    @Test
    void handing_lines_over_never_waits_for_a_stuck_destination_and_counts_what_it_drops() {
        CountDownLatch stuck = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AccessLineWriter writer = new AccessLineWriter(line -> {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        }, 4);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> IntStream.range(0, 1000)
                    .forEach(i -> writer.offer("line-" + i)));
            assertThat(writer.dropped()).isPositive();

            stuck.countDown();
            Eventually.await("every line kept is written", Duration.ofSeconds(10),
                    () -> written.size() + writer.dropped() == 1000);
            assertThat(written).isSortedAccordingTo((a, b) -> Integer.compare(number(a), number(b)))
                    .doesNotHaveDuplicates().startsWith("line-0");
        } finally {
            stuck.countDown();
            writer.close();
        }
    }

    @Test
    void closing_writes_every_line_still_waiting_and_takes_none_after() {
        List<String> written = new CopyOnWriteArrayList<>();
        AccessLineWriter writer = new AccessLineWriter(written::add, AccessLineWriter.CAPACITY);
        IntStream.range(0, 500).forEach(i -> writer.offer("line-" + i));

        writer.close();
        writer.offer("after");

        assertThat(written).hasSize(500).endsWith("line-499");
        assertThat(writer.dropped()).isEqualTo(1);
    }

    private static int number(String line) {
        return Integer.parseInt(line.substring("line-".length()));
    }
}
