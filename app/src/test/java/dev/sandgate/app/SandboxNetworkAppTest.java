package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole program with bubblewrap: each sandbox has a network of its own, and the broker still reaches its ports
 * for previews (HTTP and WebSocket), {@code waitForPorts} and {@code /port/{port}}. Loopback and the sandboxes' own
 * namespaces only.
 */
class SandboxNetworkAppTest {
    private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*\"?(\\d+)");
    /** A WebSocket server that answers one text frame with {@code echo:<text>}: python's standard library only. */
    private static final String WS_SERVER = String.join("\n",
            "import socket, hashlib, base64, sys, threading",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()",
            "def serve(c):",
            "    d = b''",
            "    while b'\\r\\n\\r\\n' not in d: d += c.recv(1024)",
            "    k = [l.split(b':', 1)[1].strip() for l in d.split(b'\\r\\n') if l.lower().startswith(b'sec-websocket-key')][0]",
            "    a = base64.b64encode(hashlib.sha1(k + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())",
            "    c.sendall(b'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'",
            "              + b'Sec-WebSocket-Accept: ' + a + b'\\r\\n\\r\\n')",
            "    h = c.recv(2); n = h[1] & 127; m = c.recv(4); p = c.recv(n)",
            "    r = b'echo:' + bytes(b ^ m[i % 4] for i, b in enumerate(p))",
            "    c.sendall(bytes([0x81, len(r)]) + r)",
            "while True:",
            "    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()",
            "");

    private static boolean bwrap;

    @TempDir
    Path dataDir;
    private SandgateApp app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void probe() {
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP).inForce() == IsolationMode.BWRAP;
        } catch (IllegalStateException e) {
            bwrap = false;
        }
    }

    @BeforeEach
    void start() {
        assumeTrue(bwrap, "bubblewrap is not installed or cannot create namespaces here");
        app = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).isolation(IsolationMode.BWRAP).build(),
                Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder withKey(String uri) {
        return HttpRequest.newBuilder(URI.create(uri))
                .header("x-blaxel-authorization", "Bearer " + app.apiKey().value())
                .header("x-blaxel-workspace", "default");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Creates the sandbox and answers its data-plane URL. */
    private String sandbox(String name) throws Exception {
        HttpResponse<String> created = send(withKey(app.publicUrl() + "/v0/sandboxes")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"}}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Matcher url = URL.matcher(send(withKey(app.publicUrl() + "/v0/sandboxes/" + name).GET()).body());
        assertThat(url.find()).isTrue();
        return url.group(1);
    }

    private HttpResponse<String> exec(String dataPlane, String json) throws Exception {
        return send(withKey(dataPlane + "/process").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Serves {@code /srv} of the sandbox on {@code port}, with {@code id.txt} saying {@code body}. */
    private void serve(String dataPlane, int port, String body) throws Exception {
        HttpResponse<String> process = exec(dataPlane, "{\"command\":\"mkdir -p /srv && echo " + body
                + " > /srv/id.txt && cd /srv && exec python3 -m http.server " + port + " --bind 127.0.0.1\","
                + "\"waitForPorts\":[" + port + "],\"timeout\":30}");
        assertThat(process.statusCode()).as(process.body()).isEqualTo(200);
    }

    private String publicPreview(String sandbox, String name, int port) throws Exception {
        HttpResponse<String> preview = send(withKey(app.publicUrl() + "/v0/sandboxes/" + sandbox + "/previews")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":"
                        + "{\"port\":" + port + ",\"public\":true}}")));
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        Matcher url = URL.matcher(preview.body());
        assertThat(url.find()).isTrue();
        return url.group(1);
    }

    /** What a process of the sandbox sees when it connects to 127.0.0.1:port. */
    private String connectFrom(String dataPlane, int port) throws Exception {
        HttpResponse<String> process = exec(dataPlane, "{\"command\":\"python3 -c \\\"import socket; s = "
                + "socket.socket(); s.settimeout(3); print('CONNECTED' if s.connect_ex(('127.0.0.1', " + port
                + ")) == 0 else 'REFUSED')\\\"\",\"waitForCompletion\":true,\"timeout\":30}");
        Matcher pid = PID.matcher(process.body());
        assertThat(pid.find()).as(process.body()).isTrue();
        return send(withKey(dataPlane + "/process/" + pid.group(1) + "/logs").GET()).body();
    }

    @Test
    void a_preview_reaches_the_dev_server_in_the_sandboxs_own_network() throws Exception {
        String dataPlane = sandbox("web");
        int port = freePort();
        serve(dataPlane, port, "served-from-the-sandbox");
        String preview = publicPreview("web", "app", port);

        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(preview + "/id.txt")).GET());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("served-from-the-sandbox\n");
    }

    @Test
    void a_websocket_preview_reaches_the_server_in_the_sandboxs_own_network() throws Exception {
        String dataPlane = sandbox("ws");
        Files.writeString(dataDir.resolve("sandboxes/ws/root/ws.py"), WS_SERVER);
        int port = freePort();
        HttpResponse<String> started = exec(dataPlane, "{\"command\":\"exec python3 /ws.py " + port + "\","
                + "\"waitForPorts\":[" + port + "],\"timeout\":30}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        String preview = publicPreview("ws", "socket", port);

        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(preview.replace("http://", "ws://")
                + "/"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        answer.complete(data.toString());
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        socket.sendText("hello", true);

        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("echo:hello");
        socket.abort();
    }

    @Test
    void port_route_serves_the_port_inside_the_sandbox() throws Exception {
        String dataPlane = sandbox("fetch");
        int port = freePort();
        serve(dataPlane, port, "fetched-through-the-port-route");

        HttpResponse<String> fetched = send(withKey(dataPlane + "/port/" + port + "/id.txt").GET());

        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo("fetched-through-the-port-route\n");
    }

    @Test
    void port_route_answers_a_bad_port_with_400_and_a_silent_port_with_503() throws Exception {
        String dataPlane = sandbox("fetch");

        assertThat(send(withKey(dataPlane + "/port/99999/x").GET()).statusCode()).isEqualTo(400);
        assertThat(send(withKey(dataPlane + "/port/abc/x").GET()).statusCode()).isEqualTo(400);
        assertThat(send(withKey(dataPlane + "/port/" + freePort() + "/x").GET()).statusCode()).isIn(502, 503);
    }

    @Test
    void port_route_is_not_served_where_the_sandbox_shares_the_hosts_network() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SandgateApp shared = SandgateApp.start(AppSettings.defaults(dataDir.resolve("none")).toBuilder().port(0)
                     .isolation(IsolationMode.NONE).build(), Clock.systemUTC(), new SecureRandom())) {
            app.close();
            app = shared;
            String dataPlane = sandbox("shared");

            HttpResponse<String> fetched = send(withKey(dataPlane + "/port/" + host.getLocalPort() + "/").GET());

            assertThat(fetched.statusCode()).isEqualTo(404);
            assertThat(fetched.body()).contains("network of their own");
        } finally {
            app = null;
        }
    }

    @Test
    void a_sandbox_process_cannot_connect_to_the_brokers_port() throws Exception {
        String dataPlane = sandbox("attacker");

        assertThat(connectFrom(dataPlane, app.port())).contains("REFUSED").doesNotContain("CONNECTED");
    }

    @Test
    void a_preview_of_one_sandbox_never_reaches_another_sandbox_on_the_same_port() throws Exception {
        String attacker = sandbox("attacker");
        String victim = sandbox("victim");
        int port = freePort();
        serve(attacker, port, "served-by-the-attacker");
        serve(victim, port, "served-by-the-victim");
        String preview = publicPreview("victim", "app", port);

        assertThat(send(HttpRequest.newBuilder(URI.create(preview + "/id.txt")).GET()).body())
                .isEqualTo("served-by-the-victim\n");
    }
}
