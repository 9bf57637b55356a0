package dev.sandgate.app;

import static dev.sandgate.app.ClusterBrokers.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.ports.contract.Eventually;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A front ({@code --gateway=cluster}) before two nodes on one real Redis: it places, lists and forwards. */
class ClusterFrontTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;

    private SandgateApp one;
    private SandgateApp two;
    private SandgateApp front;

    @AfterEach
    void stop() {
        for (SandgateApp app : new SandgateApp[]{front, two, one}) {
            if (app != null) {
                app.close();
            }
        }
    }

    private List<String> flagsOf(String data, String... more) {
        return flags(REDIS.url(3), dir.resolve("cluster/token.key"), dir.resolve(data), more);
    }

    /** Starts node {@code one} (and {@code two} when {@code nodes} is 2), then a front before them; its URL. */
    private String frontBefore(int nodes) throws Exception {
        Files.createDirectories(dir.resolve("cluster"));
        one = ClusterBrokers.start(dir, flagsOf("one", "--node-id=one"));
        if (nodes > 1) {
            two = ClusterBrokers.start(dir, flagsOf("two", "--node-id=two"));
        }
        front = ClusterBrokers.start(dir, flagsOf("front", "--gateway=cluster"));
        return front.publicUrl().toString();
    }

    @Test
    void sandboxes_are_created_listed_run_and_deleted_through_a_front_that_hosts_none() throws Exception {
        String f = frontBefore(2);

        // fewest sandboxes first, the smallest id among equals
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"first\"}}"));
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"second\"}}"));
        assertThat(get(f + "/v0/sandboxes/first").body()).contains("\"sandgate-node\":\"one\"");
        assertThat(get(f + "/v0/sandboxes/second").body()).contains("\"sandgate-node\":\"two\"");
        assertThat(dir.resolve("one/sandboxes/first")).isDirectory();
        assertThat(dir.resolve("two/sandboxes/second")).isDirectory();
        assertThat(dir.resolve("front/sandboxes")).doesNotExist();

        HttpResponse<String> list = get(f + "/v0/sandboxes");
        assertOk(list);
        assertThat(list.body()).contains("\"name\":\"first\"").contains("\"name\":\"second\"");
        // a node lists the whole cluster too, and never twice
        String fromOne = get(one.publicUrl() + "/v0/sandboxes").body();
        assertThat(fromOne.split("\"name\":\"second\"", -1)).hasSize(2);

        HttpResponse<String> ran = post(f + "/default/sandboxes/second/process",
                "{\"command\":\"echo ran-on-two\",\"waitForCompletion\":true,\"timeout\":30}");
        assertOk(ran);
        assertThat(ran.body()).contains("ran-on-two");
        assertThat(front.forwardedRequests()).isGreaterThanOrEqualTo(3);

        // a name already placed is refused, wherever it is asked
        assertThat(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"first\"}}").statusCode()).isEqualTo(409);
        assertThat(post(two.publicUrl() + "/v0/sandboxes", "{\"metadata\":{\"name\":\"first\"}}").statusCode())
                .isEqualTo(409);

        assertOk(send(withKey(f + "/v0/sandboxes/first").DELETE()));
        assertThat(get(f + "/v0/sandboxes/first").statusCode()).isEqualTo(404);
        assertThat(get(f + "/v0/sandboxes").body()).doesNotContain("\"name\":\"first\"");
    }

    /**
     * A node counts connections per client address, and every request a front forwards comes from the front's: one
     * client's many slow requests through the front would fill the node's cap for that address, and the node would
     * then cut off the front's further connections, every other client's requests with them.
     */
    @Test
    void many_slow_requests_through_a_front_are_not_cut_off_by_the_nodes_cap_on_one_address() throws Exception {
        Files.createDirectories(dir.resolve("cluster"));
        one = ClusterBrokers.start(dir, flagsOf("one", "--node-id=one", "--max-connections-per-ip=3"));
        front = ClusterBrokers.start(dir, flagsOf("front", "--gateway=cluster"));
        String f = front.publicUrl().toString();
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"busy\"}}"));

        var pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> slow = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                slow.add(pool.submit(() -> post(f + "/default/sandboxes/busy/process",
                        "{\"command\":\"sleep 1\",\"waitForCompletion\":true,\"timeout\":30}")));
            }
            for (var answer : slow) {
                assertOk(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        // a client of the same address as the front is still held to the cap
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> direct = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            direct.add(HTTP.sendAsync(withKey(one.publicUrl() + "/default/sandboxes/busy/process")
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                            .ofString("{\"command\":\"sleep 1\",\"waitForCompletion\":true,\"timeout\":30}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var answer : direct) {
            try {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            } catch (java.util.concurrent.ExecutionException closed) {
                statuses.add(-1);
            }
        }
        assertThat(statuses).as("beyond 3 at once, refused").contains(429).contains(200);
    }

    /** A session of {@code sandbox} minted through {@code broker} with these operations; its token. */
    private static String scopedSession(String broker, String sandbox, String name) throws Exception {
        String expires = java.time.Instant.now().plusSeconds(600).toString();
        assertOk(post(broker + "/v0/sandboxes/" + sandbox + "/previews", "{\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"port\":443,\"public\":false,\"expires\":\"" + expires + "\"},\"sandgate\":"
                + "{\"scopes\":{\"operations\":[\"process:exec\",\"process:read\",\"process:signal\"]}}}"));
        HttpResponse<String> token = post(broker + "/v0/sandboxes/" + sandbox + "/previews/" + name + "/tokens",
                "{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertOk(token);
        return field(token.body(), "token").orElseThrow();
    }

    private static HttpResponse<String> asSession(String url, String token, String method, String body)
            throws Exception {
        return send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("X-Blaxel-Preview-Token", token).header("Content-Type", "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void a_process_started_through_a_front_is_owned_by_the_session_the_node_verified() throws Exception {
        String f = frontBefore(1);
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"shared\"}}"));
        String a = scopedSession(f, "shared", "session-a");
        String b = scopedSession(f, "shared", "session-b");

        HttpResponse<String> started = asSession(f + "/s/shared/session-a/process", a, "POST",
                "{\"name\":\"job-a\",\"command\":\"sleep 600\",\"sandgate\":{\"startedBy\":\"session-b\"}}");
        assertOk(started);

        // the node recorded the session it verified, not what the body claimed, and the key sees it on either broker
        for (String broker : List.of(f, one.publicUrl().toString())) {
            HttpResponse<String> seen = get(broker + "/default/sandboxes/shared/process/job-a");
            assertOk(seen);
            assertThat(seen.body()).contains("\"sandgate\":{\"startedBy\":\"session-a\"}");
        }
        HttpResponse<String> listB = asSession(f + "/s/shared/session-b/process", b, "GET", null);
        assertOk(listB);
        assertThat(listB.body()).isEqualTo("[]");
        HttpResponse<String> killByB = asSession(f + "/s/shared/session-b/process/job-a/kill", b, "DELETE", null);
        assertThat(killByB.statusCode()).as(killByB.body()).isEqualTo(404);
        assertThat(asSession(f + "/s/shared/session-a/process", a, "GET", null).body()).contains("job-a");
        assertThat(get(f + "/default/sandboxes/shared/process/job-a").body()).contains("\"status\":\"running\"");
        assertThat(front.forwardedRequests()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void a_nodes_audit_trail_records_the_client_the_front_served_not_the_front_nor_what_the_client_claims()
            throws Exception {
        String f = frontBefore(1);
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"audited\"}}"));
        String token = scopedSession(f, "audited", "session-a");
        int port = front.publicUrl().getPort();

        // the client comes from another loopback address than the one the front reaches the node from, and claims
        // a third one
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress("127.0.0.2", 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET /s/audited/session-a/process HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nX-Blaxel-Preview-Token: " + token + "\r\nX-Forwarded-For: 10.9.9.9\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200");
        }

        Eventually.await("the node's use of the session recorded", java.time.Duration.ofSeconds(20),
                () -> trail(f).contains("\"session\":\"session-a\""));
        assertThat(trail(f)).contains("\"client\":\"127.0.0.2\"").doesNotContain("10.9.9.9")
                .doesNotContain("\"client\":\"127.0.0.1\"");
    }

    private static String trail(String broker) {
        try {
            HttpResponse<String> trail = get(broker + "/v0/sandboxes/audited/audit");
            assertOk(trail);
            return trail.body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void create_if_not_exists_through_any_broker_answers_the_sandbox_wherever_it_lives_even_when_racing()
            throws Exception {
        String f = frontBefore(2);
        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"kept\",\"labels\":{\"sandgate-node\":\"one\"}}}"));

        for (String broker : List.of(f, two.publicUrl().toString(), one.publicUrl().toString())) {
            HttpResponse<String> again = post(broker + "/v0/sandboxes?createIfNotExist=true",
                    "{\"metadata\":{\"name\":\"kept\"}}");
            assertOk(again);
            assertThat(again.body()).contains("\"sandgate-node\":\"one\"");
        }

        // six callers at once, through the front and a node that is not the sandbox's: one sandbox, six 200s
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> racing = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String broker = i % 2 == 0 ? f : two.publicUrl().toString();
            racing.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return post(broker + "/v0/sandboxes?createIfNotExist=true", "{\"metadata\":{\"name\":\"raced\"}}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (var answer : racing) {
            assertOk(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        HttpResponse<String> list = get(f + "/v0/sandboxes");
        assertThat(list.body().split("\"name\":\"raced\"", -1)).hasSize(2);
    }

    @Test
    void a_label_naming_a_node_that_is_not_live_is_refused_with_503_naming_it() throws Exception {
        String f = frontBefore(1);

        HttpResponse<String> refused = post(f + "/v0/sandboxes",
                "{\"metadata\":{\"name\":\"nowhere\",\"labels\":{\"sandgate-node\":\"elsewhere\"}}}");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("elsewhere").contains("one");
    }

    @Test
    void the_cluster_gateway_without_the_redis_store_is_a_configuration_error() {
        assertThatThrownBy(() -> SettingsLoader.create(dir, dir).load(List.of("--gateway=cluster"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("--store=redis");
    }
}
