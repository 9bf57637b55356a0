package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.contract.Eventually;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the Redis catalog does: expiry by Redis itself, two brokers on one catalog, Redis going away. */
class RedisNodeCatalogTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final NodeId A = NodeId.of("node-a:8080");
    private static final URI URL = URI.create("http://10.0.0.1:8080");

    private final Clock clock = Clock.systemUTC();
    private final String namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
    private RedisNodeCatalog one;
    private RedisNodeCatalog two;

    @BeforeEach
    void open() {
        one = open(Duration.ofMillis(100));
        two = open(Duration.ofMillis(100));
    }

    private RedisNodeCatalog open(Duration period) {
        return RedisNodeCatalog.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()), namespace, period);
    }

    @AfterEach
    void close() throws Exception {
        REDIS.start();
        one.close();
        two.close();
    }

    @Test
    void a_catalog_sharing_the_store_s_connection_opens_none_of_its_own_and_leaves_it_open_when_closed() {
        RedisEndpoint endpoint = RedisEndpoint.parse(REDIS.url(0), Optional.empty());
        try (RedisAccessStore store = RedisAccessStore.open(endpoint, new byte[32], namespace)) {
            long before = clients();
            RedisNodeCatalog shared = RedisNodeCatalog.sharing(store, Duration.ofMillis(100));
            assertThat(clients()).as("connections to Redis").isEqualTo(before);

            shared.heartbeat(A, URL, clock.instant());
            shared.assign(SandboxName.of("shared-box"), A);
            assertThat(one.liveNodes(clock.instant())).extracting(NodeInfo::id).containsExactly(A);
            assertThat(one.nodeOf(SandboxName.of("shared-box"))).contains(A);

            shared.close();
            assertThat(store.listPreviews(SandboxName.of("shared-box"))).isEmpty(); // the store still works
            assertThat(clients()).isEqualTo(before);
        }
    }

    /** The clients Redis has connected now (each a line of CLIENT LIST). */
    private long clients() {
        AtomicLong count = new AtomicLong();
        one.withCommands(redis -> count.set(redis.clientList().lines().filter(l -> !l.isBlank()).count()));
        return count.get();
    }

    @Test
    void a_node_that_stops_beating_drops_out_of_redis_after_three_periods_and_keeps_its_sandboxes() {
        assertThat(one.heartbeatTtl()).isEqualTo(Duration.ofMillis(300));
        one.heartbeat(A, URL, clock.instant());
        one.assign(SandboxName.of("box"), A);
        AtomicLong pttl = new AtomicLong();
        one.withCommands(redis -> pttl.set(redis.pttl(namespace + ":n:" + A.value())));
        assertThat(pttl.get()).isBetween(1L, 300L);
        assertThat(two.liveNodes(clock.instant())).extracting(NodeInfo::id).containsExactly(A);

        Eventually.await("Redis drops the node's heartbeat", Duration.ofSeconds(10), () -> {
            AtomicLong exists = new AtomicLong();
            one.withCommands(redis -> exists.set(redis.exists(namespace + ":n:" + A.value())));
            return exists.get() == 0;
        });

        assertThat(two.liveNodes(clock.instant())).isEmpty();
        assertThat(two.nodeOf(SandboxName.of("box"))).contains(A);
        one.heartbeat(A, URL, clock.instant()); // back
        assertThat(two.liveNode(A, clock.instant())).map(NodeInfo::sandboxes).contains(1);
    }

    @Test
    void redis_gone_fails_catalog_calls_with_store_unavailable_and_redis_back_serves_again() throws Exception {
        REDIS.stop();

        assertThatThrownBy(() -> one.liveNodes(clock.instant()))
                .isInstanceOfSatisfying(SandgateException.Unavailable.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

        REDIS.start();

        Eventually.await("the catalog reconnects", Duration.ofSeconds(20), () -> {
            try {
                one.heartbeat(A, URL, clock.instant()); // scripts are loaded again as needed
                return true;
            } catch (SandgateException.Unavailable e) {
                return false;
            }
        });
        assertThat(one.liveNodes(clock.instant())).extracting(NodeInfo::id).containsExactly(A);
    }

    @Test
    void an_unreachable_redis_fails_the_start_naming_where_it_was_looked_for() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RedisEndpoint nowhere = RedisEndpoint.parse("redis://127.0.0.1:" + closed + "/3", Optional.of("pw-2"));

        assertThatThrownBy(() -> RedisNodeCatalog.open(nowhere, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis://127.0.0.1:" + closed + "/3").hasMessageNotContaining("pw-2");
    }
}
