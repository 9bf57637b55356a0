package dev.sandgate.adapter.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} for a test class: started on a free loopback port with a data directory of its own and
 * no persistence (or, {@link #durable()}, with the append-only file), polled until it answers {@code PING}, stopped
 * after the class. {@link #stop()} and {@link #start()} let a test take it away and bring it back on the same port.
 * Register it as a static field with {@code @RegisterExtension}.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final List<String> config;
    private Path dir;
    private int port;
    private Process process;

    /** A server without persistence ({@code --save "" --appendonly no}): what a test needs, and the fastest. */
    public RedisServerExtension() {
        this(List.of("--save", "", "--appendonly", "no"));
    }

    private RedisServerExtension(List<String> config) {
        this.config = List.copyOf(config);
    }

    /**
     * A server configured as one should run in production for sessions to survive a restart: the append-only file,
     * flushed once a second ({@code --appendonly yes --appendfsync everysec}, Redis's recommended AOF setting), and
     * no RDB snapshots. For benchmarks.
     */
    public static RedisServerExtension durable() {
        return new RedisServerExtension(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"));
    }

    /** The persistence flags the server is started with. */
    public List<String> config() {
        return config;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("redis-test-");
        port = freePort();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>/<database>}. */
    public String url(int database) {
        return "redis://127.0.0.1:" + port + "/" + database;
    }

    /** The running server's process id (for benchmarks that count its CPU time). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server is not started");
        }
        return process.pid();
    }

    /** Starts the server (again) on its port; returns once it answers PING. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Optional<Path> binary = Stream.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            throw new IllegalStateException("redis-server is not installed (apt-get install redis-server)");
        }
        List<String> command = new ArrayList<>(List.of(binary.get().toString(), "--port", Integer.toString(port),
                "--dir", dir.toString(), "--bind", "127.0.0.1", "--protected-mode", "no"));
        command.addAll(config);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING: "
                        + Files.readString(dir.resolve("redis.log")));
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL) and waits until it is gone. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        process = null;
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
