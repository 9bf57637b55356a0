package dev.sandgate.app;

import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian package {@code nginx-light}) in the foreground, with a configuration, error log, pid file and
 * temporary directories of its own under a directory of the caller's: what the load-balancer test and the proxy
 * benchmark start on free loopback ports. Stopped with SIGTERM (nginx's fast shutdown), then SIGKILL.
 */
public final class Nginx implements AutoCloseable {
    private final Process process;
    private final Path root;

    private Nginx(Process process, Path root) {
        this.process = process;
        this.root = root;
    }

    /**
     * Starts nginx with {@code http} as the body of its {@code http} block (servers, upstreams, logs) and
     * {@code workers} worker processes (0: one per core), under {@code dir/nginx-<name>}; returns at once.
     */
    public static Nginx start(Path dir, String name, int workers, String http) throws IOException {
        Path root = Files.createDirectories(dir.resolve("nginx-" + name));
        Path temp = Files.createDirectories(root.resolve("temp"));
        String conf = "daemon off; worker_processes " + (workers == 0 ? "auto" : String.valueOf(workers)) + ";\n"
                + "pid " + root.resolve("nginx.pid") + "; error_log " + root.resolve("error.log") + " warn;\n"
                + "events { worker_connections 4096; }\n"
                + "http {\n client_body_temp_path " + temp.resolve("body") + "; proxy_temp_path "
                + temp.resolve("proxy") + ";\n fastcgi_temp_path " + temp.resolve("fastcgi") + "; uwsgi_temp_path "
                + temp.resolve("uwsgi") + "; scgi_temp_path " + temp.resolve("scgi") + ";\n" + http + "\n}\n";
        Path file = root.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process process = new ProcessBuilder("nginx", "-e", root.resolve("error.log").toString(), "-p",
                root.toString(), "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(root.resolve("out.log").toFile()).start();
        return new Nginx(process, root);
    }

    /** Returns once something accepts connections on {@code port} of 127.0.0.1; fails if nginx exited first. */
    public Nginx awaitListening(int port) {
        Eventually.await("nginx listening on port " + port, Duration.ofSeconds(15), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + errors());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        return this;
    }

    public Process process() {
        return process;
    }

    /** Where the caller may put files of its own (an access log), beside nginx's. */
    public Path root() {
        return root;
    }

    /** nginx's error log, as far as it is written. */
    public String errors() {
        try {
            Path log = root.resolve("error.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
