package dev.sandgate.app;

import static dev.sandgate.app.ClusterBrokers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.redis.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host-named application previews ({@code --preview-domain}) in a cluster: every broker has the load balancer's
 * public URL and the same preview domain, so one name ({@code *.localhost} on the balancer's port) serves every
 * preview, and a preview of a sandbox on node A is served through a front and through node B, WebSocket included.
 * Requests are raw, with the {@code Host} a browser sends through the balancer; they reach each broker's own port,
 * as the balancer would.
 */
class ClusterPreviewHostTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;

    private SandgateApp nodeA;
    private SandgateApp nodeB;
    private SandgateApp front;

    @AfterEach
    void stop() {
        for (SandgateApp app : new SandgateApp[]{front, nodeB, nodeA}) {
            if (app != null) {
                app.close();
            }
        }
    }

    @Test
    void a_host_named_preview_of_node_a_is_served_through_a_front_and_node_b_websocket_included_then_503_naming_a()
            throws Exception {
        int balancer = freePort(); // the port the public URL names: nothing listens there, requests go to each broker
        String domain = "localhost";
        Path key = Files.createDirectories(dir.resolve("cluster")).resolve("token.key");
        String[] shared = {"--public-url=http://127.0.0.1:" + balancer, "--preview-domain=" + domain};
        nodeA = ClusterBrokers.start(dir, flags(REDIS.url(4), key, dir.resolve("node-a"), with(shared,
                "--node-id=node-a")));
        nodeB = ClusterBrokers.start(dir, flags(REDIS.url(4), key, dir.resolve("node-b"), with(shared,
                "--node-id=node-b")));
        front = ClusterBrokers.start(dir, flags(REDIS.url(4), key, dir.resolve("front"), with(shared,
                "--gateway=cluster")));
        String f = front.listenUrl().toString();

        assertOk(post(f + "/v0/sandboxes", "{\"metadata\":{\"name\":\"hosted\","
                + "\"labels\":{\"sandgate-node\":\"node-a\"}}}"));
        int http = freePort();
        int ws = freePort();
        assertOk(run(f, "hosted", ECHO_SERVER, "echo.py", http));
        assertOk(run(f, "hosted", WS_SERVER, "ws.py", ws));
        HttpResponse<String> web = post(f + "/v0/sandboxes/hosted/previews",
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"port\":" + http + ",\"public\":true}}");
        assertOk(web);
        assertThat(web.body()).contains("\"url\":\"http://web-hosted." + domain + ":" + balancer + "\"");
        assertOk(post(f + "/v0/sandboxes/hosted/previews",
                "{\"metadata\":{\"name\":\"socket\"},\"spec\":{\"port\":" + ws + ",\"public\":true}}"));
        String expires = Instant.now().plusSeconds(600).toString();
        assertOk(post(f + "/v0/sandboxes/hosted/previews",
                "{\"metadata\":{\"name\":\"secret\"},\"spec\":{\"port\":" + http + ",\"public\":false}}"));
        HttpResponse<String> minted = post(f + "/v0/sandboxes/hosted/previews/secret/tokens",
                "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertOk(minted);
        String token = field(minted.body(), "token").orElseThrow();
        long forwardedBefore = front.forwardedRequests();

        String host = "web-hosted." + domain + ":" + balancer;
        for (SandgateApp broker : List.of(front, nodeB, nodeA)) {
            String answer = rawGet(broker.port(), host, "/hello?x=1");
            assertThat(answer).as("through %s", broker.listenUrl()).startsWith("HTTP/1.1 200");
            assertThat(answer).contains("path=/hello?x=1").doesNotContainIgnoringCase("x-sandgate-cluster");
        }
        assertThat(front.forwardedRequests()).isGreaterThan(forwardedBefore);
        assertThat(webSocketEcho(front.port(), "socket-hosted." + domain + ":" + balancer, "through-front"))
                .isEqualTo("echo:through-front");
        assertThat(webSocketEcho(nodeB.port(), "socket-hosted." + domain + ":" + balancer, "through-b"))
                .isEqualTo("echo:through-b");
        String secret = "secret-hosted." + domain + ":" + balancer;
        assertThat(rawGet(front.port(), secret, "/x")).startsWith("HTTP/1.1 401");
        assertThat(rawGet(front.port(), secret, "/x", "X-Blaxel-Preview-Token: " + token))
                .startsWith("HTTP/1.1 200").contains("path=/x");
        if (ClusterBrokers.bwrap()) {
            assertThat(reachable(http)).as("the sandbox's port from the host").isFalse();
        }

        // a client cannot pass for a broker on a preview's host name either
        assertThat(rawGet(front.port(), host, "/", "X-Sandgate-Cluster: forged")).startsWith("HTTP/1.1 403");
        assertThat(rawGet(nodeA.port(), host, "/", "X-Sandgate-Cluster: forged")).startsWith("HTTP/1.1 403");

        // node A gone (a clean stop deregisters it at once): its previews answer 503 naming it, through any broker
        nodeA.close();
        nodeA = null;
        HttpResponse<String> down = await(() -> get(f + "/v0/sandboxes/hosted"), r -> r.statusCode() == 503);
        assertThat(down.statusCode()).isEqualTo(503);
        String dead = rawGet(front.port(), host, "/");
        assertThat(dead).startsWith("HTTP/1.1 503").contains("NODE_UNAVAILABLE").contains("node-a");
    }

    private static String[] with(String[] shared, String more) {
        String[] all = java.util.Arrays.copyOf(shared, shared.length + 1);
        all[shared.length] = more;
        return all;
    }

    private static String rawGet(int port, String host, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A WebSocket handshake with {@code host}, one masked text frame, and the text of the frame that answers. */
    private static String webSocketEcho(int port, String host, String text) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the handshake: " + head.toString(StandardCharsets.UTF_8));
                }
                head.write(b);
            }
            assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            byte[] mask = {1, 2, 3, 4};
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            frame.write(0x80 | payload.length);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
            int first = in.read();
            int length = in.read() & 0x7f;
            assertThat(first).isEqualTo(0x81);
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private static boolean reachable(int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
