package dev.sandgate.app;

import static dev.sandgate.app.ClusterBrokers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.redis.RedisEndpoint;
import dev.sandgate.adapter.redis.RedisNodeCatalog;
import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.domain.NodeId;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /readyz} of a node names its registration: the heartbeat record in the cluster's catalog. */
class NodeReadinessTest {
    private static final Duration PERIOD = Duration.ofSeconds(3);
    private static final NodeId NODE = NodeId.of("node-r");

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;

    @Test
    void a_node_whose_registration_was_removed_from_redis_is_not_ready_until_its_next_heartbeat_registers_it()
            throws Exception {
        Path key = Files.createDirectories(dir.resolve("cluster")).resolve("token.key");
        List<String> flags = flags(REDIS.url(5), key, dir.resolve("node"), "--node-id=" + NODE.value()).stream()
                .map(f -> f.startsWith("--node-heartbeat=") ? "--node-heartbeat=" + PERIOD.toSeconds() + "s" : f)
                .toList();
        try (SandgateApp node = ClusterBrokers.start(dir, flags);
             RedisNodeCatalog catalog = RedisNodeCatalog.open(RedisEndpoint.parse(REDIS.url(5), Optional.empty()),
                     PERIOD)) {
            String readyz = node.listenUrl() + "/readyz";
            HttpResponse<String> ready = probe(readyz);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"name\":\"node\"");

            // the record gone (Redis restarted without its data, a removal by hand): removed again should a
            // heartbeat land between the removal and the probe
            HttpResponse<String> notReady = null;
            Instant removed = null;
            for (int attempt = 0; attempt < 5 && notReady == null; attempt++) {
                catalog.deregister(NODE);
                removed = Instant.now();
                HttpResponse<String> answer = probe(readyz);
                if (answer.statusCode() == 503) {
                    notReady = answer;
                }
            }
            assertThat(notReady).as("a probe between the removal and the next heartbeat").isNotNull();
            assertThat(notReady.body()).contains("\"failing\":[\"node\"]")
                    .contains("node node-r is not registered in the cluster's catalog");
            assertThat(catalog.liveNode(NODE, Instant.now())).isEmpty();

            HttpResponse<String> back = await(() -> probe(readyz), r -> r.statusCode() == 200);
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(Duration.between(removed, Instant.now())).as("ready again with the next heartbeat")
                    .isLessThan(PERIOD.multipliedBy(3));
            assertThat(catalog.liveNode(NODE, Instant.now())).map(info -> info.url())
                    .contains(URI.create(node.listenUrl().toString()));
        }
    }

    private static HttpResponse<String> probe(String url) {
        try {
            return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
