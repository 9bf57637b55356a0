package dev.sandgate.app;

import static dev.sandgate.app.ClusterBrokers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.redis.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one real Redis: node A a program of its own (a child JVM, so that it can be killed), node B in this
 * JVM, each with its own data directory. Everything is asked of B; the sandbox lives on A, whose sandbox ports are
 * reachable only from A (with bubblewrap each sandbox has a network of its own).
 */
class TwoNodeClusterTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;

    private ClusterBrokers.Child nodeA;
    private SandgateApp nodeB;

    @AfterEach
    void stop() throws Exception {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
    }

    private List<String> flagsOfA() {
        return flags(REDIS.url(2), dir.resolve("cluster/token.key"), dir.resolve("node-a"), "--node-id=node-a");
    }

    private void startBoth() throws Exception {
        Files.createDirectories(dir.resolve("cluster"));
        nodeA = ClusterBrokers.Child.start(flagsOfA(), dir.resolve("node-a.log"));
        nodeB = ClusterBrokers.start(dir, flags(REDIS.url(2), dir.resolve("cluster/token.key"), dir.resolve("node-b"),
                "--node-id=node-b"));
    }

    @Test
    void a_sandbox_placed_on_node_a_through_node_b_is_served_through_b_then_503_while_a_is_dead_then_again()
            throws Exception {
        startBoth();
        String b = nodeB.publicUrl().toString();

        HttpResponse<String> created = post(b + "/v0/sandboxes", "{\"metadata\":{\"name\":\"on-a\","
                + "\"labels\":{\"sandgate-node\":\"node-a\"}}}");
        assertOk(created);
        HttpResponse<String> got = get(b + "/v0/sandboxes/on-a");
        assertOk(got);
        assertThat(got.body()).contains("\"sandgate-node\":\"node-a\"");
        assertThat(dir.resolve("node-a/sandboxes/on-a")).isDirectory();
        assertThat(dir.resolve("node-b/sandboxes/on-a")).doesNotExist();

        // its process, run through B
        int http = freePort();
        int ws = freePort();
        assertOk(run(b, "on-a", ECHO_SERVER, "echo.py", http));
        assertOk(run(b, "on-a", WS_SERVER, "ws.py", ws));
        HttpResponse<String> processes = get(b + "/default/sandboxes/on-a/process");
        assertOk(processes);
        assertThat(processes.body()).contains("echo.py").contains("ws.py");

        // its previews, HTTP and WebSocket, through B
        assertOk(post(b + "/v0/sandboxes/on-a/previews",
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"port\":" + http + ",\"public\":true}}"));
        assertOk(post(b + "/v0/sandboxes/on-a/previews",
                "{\"metadata\":{\"name\":\"socket\"},\"spec\":{\"port\":" + ws + ",\"public\":true}}"));
        HttpResponse<String> page = send(java.net.http.HttpRequest.newBuilder(URI.create(b + "/p/on-a/web/hello?x=1")));
        assertOk(page);
        assertThat(page.body()).startsWith("path=/hello?x=1").doesNotContainIgnoringCase("x-sandgate-cluster");
        assertThat(webSocketEcho(b + "/p/on-a/socket/", "through-b")).isEqualTo("echo:through-b");
        if (ClusterBrokers.bwrap()) {
            // the port is in the sandbox's own network: the host (and so node B) cannot reach it directly
            assertThat(reachable(http)).isFalse();
        }

        // a session minted through B, used through B
        String expires = Instant.now().plusSeconds(600).toString();
        assertOk(post(b + "/v0/sandboxes/on-a/previews", "{\"metadata\":{\"name\":\"session-1\"},\"spec\":"
                + "{\"port\":443,\"public\":false,\"expires\":\"" + expires + "\"}}"));
        HttpResponse<String> minted = post(b + "/v0/sandboxes/on-a/previews/session-1/tokens",
                "{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertOk(minted);
        String token = field(minted.body(), "token").orElseThrow();
        HttpResponse<String> bySession = send(java.net.http.HttpRequest.newBuilder(
                URI.create(b + "/s/on-a/session-1/process")).header("X-Blaxel-Preview-Token", token));
        assertOk(bySession);
        assertThat(bySession.body()).contains("echo.py");
        assertThat(nodeB.forwardedRequests()).isGreaterThanOrEqualTo(10);

        // node A killed: B answers 503 naming it, on every face
        nodeA.kill();
        HttpResponse<String> dead = await(() -> get(b + "/v0/sandboxes/on-a"), r -> r.statusCode() == 503);
        assertThat(dead.statusCode()).as(dead.body()).isEqualTo(503);
        assertThat(dead.body()).contains("NODE_UNAVAILABLE").contains("node-a");
        HttpResponse<String> deadData = get(b + "/default/sandboxes/on-a/process");
        assertThat(deadData.statusCode()).isEqualTo(503);
        assertThat(deadData.body()).contains("\"reason\":\"NODE_UNAVAILABLE\"").contains("node-a");
        HttpResponse<String> deadPreview = send(java.net.http.HttpRequest.newBuilder(URI.create(b + "/p/on-a/web/")));
        assertThat(deadPreview.statusCode()).isEqualTo(503);
        assertThat(deadPreview.body()).contains("node-a");
        // once its heartbeat is stale, without trying it
        HttpResponse<String> stale = await(() -> get(b + "/v0/sandboxes/on-a"),
                r -> r.body().contains("heartbeat is stale"));
        assertThat(stale.statusCode()).isEqualTo(503);
        assertThat(stale.body()).contains("heartbeat is stale").contains("node-a");
        // its sessions are still valid: they live in Redis
        assertThat(send(java.net.http.HttpRequest.newBuilder(URI.create(b + "/s/on-a/session-1/process"))
                .header("X-Blaxel-Preview-Token", token)).statusCode()).isEqualTo(503);

        // node A back on the same data directory: served again through B
        nodeA = ClusterBrokers.Child.start(flagsOfA(), dir.resolve("node-a.log"));
        HttpResponse<String> back = await(() -> get(b + "/v0/sandboxes/on-a"), r -> r.statusCode() == 200);
        assertOk(back);
        assertThat(back.body()).contains("\"sandgate-node\":\"node-a\"");
        assertOk(run(b, "on-a", ECHO_SERVER, "echo.py", http));
        HttpResponse<String> again = send(java.net.http.HttpRequest.newBuilder(URI.create(b + "/p/on-a/web/again")));
        assertOk(again);
        assertThat(again.body()).startsWith("path=/again");
        HttpResponse<String> sessionAgain = send(java.net.http.HttpRequest.newBuilder(
                URI.create(b + "/s/on-a/session-1/process")).header("X-Blaxel-Preview-Token", token));
        assertOk(sessionAgain);
    }

    @Test
    void a_client_sending_a_forged_cluster_header_is_refused_and_never_forwarded() throws Exception {
        startBoth();
        String b = nodeB.publicUrl().toString();
        assertOk(post(b + "/v0/sandboxes", "{\"metadata\":{\"name\":\"guarded\","
                + "\"labels\":{\"sandgate-node\":\"node-a\"}}}"));
        long before = nodeB.forwardedRequests();

        for (String forged : List.of("forged", "A".repeat(43))) {
            HttpResponse<String> toB = send(withKey(b + "/v0/sandboxes/guarded").header("X-Sandgate-Cluster", forged)
                    .GET());
            assertThat(toB.statusCode()).as(toB.body()).isEqualTo(403);
            assertThat(toB.body()).contains("CLUSTER_CREDENTIAL_REFUSED");
            HttpResponse<String> toA = send(withKey(nodeA.url + "/v0/sandboxes/guarded")
                    .header("X-Sandgate-Cluster", forged).GET());
            assertThat(toA.statusCode()).as(toA.body()).isEqualTo(403);
        }
        assertThat(nodeB.forwardedRequests()).isEqualTo(before);
        // the same request without the header is served (forwarded to A)
        assertOk(get(b + "/v0/sandboxes/guarded"));
    }

    private static String webSocketEcho(String url, String text) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(url.replace("http://", "ws://")),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        answer.complete(data.toString());
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        socket.sendText(text, true);
        try {
            return answer.get(20, TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }

    private static boolean reachable(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
