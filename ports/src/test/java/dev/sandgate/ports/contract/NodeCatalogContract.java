package dev.sandgate.ports.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.NodeCatalog;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link NodeCatalog} does: heartbeats that expire, the sandbox→node catalog, placement. The instants
 * passed are near the wall clock (a store may also expire records by real time), and liveness at an instant is
 * decided from them exactly.
 */
public abstract class NodeCatalogContract {
    protected static final NodeId A = NodeId.of("node-a:8080");
    protected static final NodeId B = NodeId.of("node-b:8080");
    protected static final NodeId C = NodeId.of("node-c:8080");
    protected final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    protected NodeCatalog catalog;

    /** A fresh, empty catalog whose heartbeat TTL is at least a minute. */
    protected abstract NodeCatalog newCatalog();

    protected void closeCatalog(NodeCatalog catalog) {
    }

    @BeforeEach
    void create() {
        catalog = newCatalog();
        assertThat(catalog.heartbeatTtl()).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    }

    @AfterEach
    void close() {
        closeCatalog(catalog);
    }

    private static URI url(String host) {
        return URI.create("http://" + host + ":8080");
    }

    @Test
    void a_node_that_beats_is_live_with_its_url_and_last_heartbeat() {
        catalog.heartbeat(A, url("10.0.0.1"), now);

        assertThat(catalog.liveNodes(now.plusSeconds(1)))
                .containsExactly(new NodeInfo(A, url("10.0.0.1"), 0, now));
        assertThat(catalog.liveNode(A, now)).map(NodeInfo::url).contains(url("10.0.0.1"));
        assertThat(catalog.liveNode(B, now)).isEmpty();
    }

    @Test
    void a_node_whose_last_heartbeat_is_as_old_as_the_ttl_is_not_live() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        Instant stale = now.plus(catalog.heartbeatTtl());

        assertThat(catalog.liveNodes(stale.minusMillis(1))).extracting(NodeInfo::id).containsExactly(A);
        assertThat(catalog.liveNodes(stale)).isEmpty();
        assertThat(catalog.liveNode(A, stale)).isEmpty();
    }

    @Test
    void a_new_heartbeat_keeps_a_node_live_and_moves_its_url() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        Instant later = now.plus(catalog.heartbeatTtl()).minusSeconds(1);
        catalog.heartbeat(A, url("10.0.0.9"), later);

        assertThat(catalog.liveNodes(now.plus(catalog.heartbeatTtl())))
                .containsExactly(new NodeInfo(A, url("10.0.0.9"), 0, later));
    }

    @Test
    void a_deregistered_node_is_not_live_at_once_and_keeps_its_sandboxes() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        catalog.assign(SandboxName.of("box"), A);

        catalog.deregister(A);

        assertThat(catalog.liveNodes(now)).isEmpty();
        assertThat(catalog.nodeOf(SandboxName.of("box"))).contains(A);
    }

    @Test
    void a_sandbox_assigned_to_a_node_is_found_counted_and_forgotten() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        catalog.assign(SandboxName.of("one"), A);
        catalog.assign(SandboxName.of("two"), A);
        catalog.assign(SandboxName.of("two"), A); // again: no change

        assertThat(catalog.nodeOf(SandboxName.of("one"))).contains(A);
        assertThat(catalog.liveNode(A, now)).map(NodeInfo::sandboxes).contains(2);

        assertThat(catalog.unassign(SandboxName.of("one"))).contains(A);
        assertThat(catalog.unassign(SandboxName.of("one"))).isEmpty();
        assertThat(catalog.nodeOf(SandboxName.of("one"))).isEmpty();
        assertThat(catalog.liveNode(A, now)).map(NodeInfo::sandboxes).contains(1);
    }

    @Test
    void a_sandbox_on_one_node_cannot_be_assigned_to_another() {
        catalog.assign(SandboxName.of("box"), A);

        assertThatThrownBy(() -> catalog.assign(SandboxName.of("box"), B))
                .isInstanceOf(SandgateException.Conflict.class).hasMessageContaining(A.value());
        assertThat(catalog.nodeOf(SandboxName.of("box"))).contains(A);
    }

    @Test
    void brokers_assigning_one_sandbox_at_once_agree_on_one_node() throws Exception {
        List<NodeId> nodes = List.of(A, B, C, A, B, C, A, B);
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (NodeId node : nodes) {
                Callable<Boolean> assign = () -> {
                    go.await();
                    try {
                        catalog.assign(SandboxName.of("contested"), node);
                        return true;
                    } catch (SandgateException.Conflict lost) {
                        return false;
                    }
                };
                outcomes.add(pool.submit(assign));
            }
            go.countDown();
            NodeId winner = null;
            for (int i = 0; i < nodes.size(); i++) {
                if (outcomes.get(i).get()) {
                    assertThat(winner == null || winner.equals(nodes.get(i))).isTrue();
                    winner = nodes.get(i);
                }
            }
            assertThat(catalog.nodeOf(SandboxName.of("contested"))).contains(winner);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void placement_picks_the_live_node_with_the_fewest_sandboxes() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        catalog.heartbeat(B, url("10.0.0.2"), now);
        catalog.heartbeat(C, url("10.0.0.3"), now.minus(catalog.heartbeatTtl())); // stale, and empty
        catalog.assign(SandboxName.of("a1"), A);
        catalog.assign(SandboxName.of("a2"), A);
        catalog.assign(SandboxName.of("b1"), B);

        assertThat(catalog.place(SandboxName.of("new-1"), Optional.empty(), now).id()).isEqualTo(B);
        assertThat(catalog.nodeOf(SandboxName.of("new-1"))).contains(B);
        // now two each: the smaller id wins the tie
        assertThat(catalog.place(SandboxName.of("new-2"), Optional.empty(), now).id()).isEqualTo(A);
    }

    @Test
    void placement_honours_the_node_the_label_names_when_it_is_live() {
        catalog.heartbeat(A, url("10.0.0.1"), now);
        catalog.heartbeat(B, url("10.0.0.2"), now);
        catalog.assign(SandboxName.of("b1"), B);

        assertThat(catalog.place(SandboxName.of("box"), Optional.of(B), now).id()).isEqualTo(B);
    }

    @Test
    void placement_on_a_node_that_is_not_live_or_with_no_live_node_is_refused_naming_it() {
        assertThatThrownBy(() -> catalog.place(SandboxName.of("box"), Optional.empty(), now))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("no node is live");
        catalog.heartbeat(A, url("10.0.0.1"), now);
        catalog.heartbeat(C, url("10.0.0.3"), now.minus(catalog.heartbeatTtl()));

        assertThatThrownBy(() -> catalog.place(SandboxName.of("box"), Optional.of(C), now))
                .isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("node " + C.value() + " named by the label sandgate-node is not live")
                .hasMessageContaining("live nodes: " + A.value());
        assertThat(catalog.nodeOf(SandboxName.of("box"))).isEmpty();
    }
}
