package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the cluster tests share: the settings of a broker of a cluster on one Redis (one token key, one API key, a
 * heartbeat of a second: quick, yet not so quick that a loaded machine misses three in a row), a broker run as a program of its own (a child JVM, so that it can be killed), HTTP with the API
 * key, and the servers the tests run inside sandboxes. Processes are isolated with bubblewrap where it works here
 * (each sandbox then has a network of its own, so its ports are reachable only through its own node); elsewhere
 * without isolation, which the tests say when they start.
 */
final class ClusterBrokers {
    static final String API_KEY = "cluster-api-key-0123456789abcdef";
    static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
    /** An HTTP server that answers every GET with its path and the request headers it received. */
    static final String ECHO_SERVER = String.join("\n",
            "import http.server, sys",
            "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        b = ('path=' + self.path + '\\n' + str(self.headers)).encode()",
            "        self.send_response(200); self.send_header('Content-Type', 'text/plain')",
            "        self.send_header('Content-Length', str(len(b))); self.end_headers(); self.wfile.write(b)",
            "    def log_message(self, *a): pass",
            "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()",
            "");
    /** A WebSocket server that answers one text frame with {@code echo:<text>}: python's standard library only. */
    static final String WS_SERVER = String.join("\n",
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

    private static volatile Boolean bwrap;

    private ClusterBrokers() {
    }

    /** Whether bubblewrap isolates processes here (then every sandbox has a network namespace of its own). */
    static boolean bwrap() {
        if (bwrap == null) {
            boolean works;
            try {
                works = Isolation.resolve(IsolationMode.BWRAP).inForce() == IsolationMode.BWRAP;
            } catch (IllegalStateException e) {
                works = false;
            }
            bwrap = works;
            if (!works) {
                System.err.println("cluster tests: bubblewrap does not work here, sandboxes run WITHOUT isolation"
                        + " (their ports are then on the host's loopback)");
            }
        }
        return bwrap;
    }

    /** The flags of a broker of the cluster on {@code redisUrl}, with {@code dataDir} of its own. */
    static List<String> flags(String redisUrl, Path keyFile, Path dataDir, String... more) {
        List<String> flags = new ArrayList<>(List.of("--data-dir=" + dataDir, "--port=0", "--store=redis",
                "--redis-url=" + redisUrl, "--token-key-file=" + keyFile, "--api-key=" + API_KEY,
                "--node-heartbeat=1s", "--preview-ports=path", "--warm-shell-idle=0s"));
        if (bwrap()) {
            flags.add("--isolation=bwrap");
        } else {
            flags.add("--isolation=none");
            flags.add("--allow-unisolated-sessions=true");
        }
        flags.addAll(List.of(more));
        return flags;
    }

    static SandgateApp start(Path dir, List<String> flags) {
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, java.util.Map.of()))
                .settings();
        return SandgateApp.start(settings);
    }

    /** A broker as a program of its own, in a child JVM, so that a test can kill it (SIGKILL). */
    static final class Child implements AutoCloseable {
        final Process process;
        final URI url;

        private Child(Process process, URI url) {
            this.process = process;
            this.url = url;
        }

        static Child start(List<String> flags, Path log) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
            command.addAll(flags);
            return launch(command, log);
        }

        /**
         * The packaged program ({@code java -jar sandgate.jar}, the jar Failsafe names in {@code sandgate.jar}), as a
         * user runs it: for the integration tests.
         */
        static Child startJar(List<String> flags, Path log) throws Exception {
            Path jar = Path.of(System.getProperty("sandgate.jar", "target/sandgate.jar")).toAbsolutePath();
            assertThat(jar).as("the packaged program").exists();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
            command.addAll(flags);
            return launch(command, log);
        }

        private static Child launch(List<String> command, Path log) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().keySet().removeIf(name -> name.startsWith("SANDGATE_"));
            Process process = builder.start();
            AtomicReference<URI> listening = new AtomicReference<>();
            try {
                Eventually.await("the broker listening", Duration.ofSeconds(60), () -> {
                    String out = read(log);
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the broker exited with " + process.exitValue() + ":\n" + out);
                    }
                    Matcher m = LISTENING.matcher(out);
                    while (m.find()) {
                        listening.set(URI.create(m.group(1)));
                    }
                    return listening.get() != null;
                });
            } catch (AssertionError notYet) {
                process.destroyForcibly();
                throw new IllegalStateException("the broker did not start within 60 s:\n" + read(log));
            }
            return new Child(process, listening.get());
        }

        private static String read(Path log) {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Kills the broker at once (SIGKILL): no deregistration, no flush; then what it left running. */
        void kill() throws InterruptedException {
            List<ProcessHandle> left = process.descendants().toList();
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            left.forEach(ProcessHandle::destroyForcibly);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                List<ProcessHandle> left = process.descendants().toList();
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                left.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    // ---- HTTP

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpRequest.Builder withKey(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .header("x-blaxel-authorization", "Bearer " + API_KEY)
                .header("x-blaxel-workspace", "default");
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String uri, String json) throws IOException, InterruptedException {
        return send(withKey(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return send(withKey(uri).GET());
    }

    /** Polls {@code call} until its answer passes {@code until} or 30 s passed; the last answer. */
    static HttpResponse<String> await(Call call, Predicate<HttpResponse<String>> until) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        try {
            Eventually.await("an answer that passes", Duration.ofSeconds(30), () -> {
                try {
                    last.set(call.send());
                    return until.test(last.get());
                } catch (IOException notAnswering) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        } catch (AssertionError timedOut) {
            if (last.get() == null) {
                throw timedOut;
            }
        }
        return last.get(); // the caller's assertion says what it was
    }

    interface Call {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    /** Starts {@code script} with python inside the sandbox, listening on {@code port}, through {@code broker}. */
    static HttpResponse<String> run(String broker, String sandbox, String script, String file, int port)
            throws Exception {
        String encoded = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        return post(broker + "/default/sandboxes/" + sandbox + "/process", "{\"command\":\"mkdir -p /srv && echo "
                + encoded + " | base64 -d > /srv/" + file + " && exec python3 /srv/" + file + " " + port + "\","
                + "\"waitForPorts\":[" + port + "],\"timeout\":30}");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Optional<String> field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static void assertOk(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(200);
    }
}
