package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program, as a user runs it: {@code java -jar target/sandgate.jar}, stopped with SIGTERM. */
class SandgateJarIT {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final long START_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    private Process program;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (program != null && program.isAlive()) {
            program.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process run(List<String> args, Map<String, String> env) throws IOException {
        Path jar = Path.of(System.getProperty("sandgate.jar", "target/sandgate.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged program").exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("SANDGATE_"));
        builder.environment().putAll(env);
        program = builder.start();
        return program;
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
    }

    @Test
    void sigterm_stops_the_processes_and_exits_after_a_clean_shutdown() throws Exception {
        Process p = run(List.of(), Map.of("SANDGATE_PORT", "0", "SANDGATE_DATA_DIR", dir.resolve("data").toString(),
                "SANDGATE_ISOLATION", "none"));
        BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> readLine(stdout))
                .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Matcher listening = LISTENING.matcher(line);
        assertThat(listening.matches()).as("first line on stdout: %s (stderr: %s)", line, stderr()).isTrue();
        assertThat(Integer.parseInt(listening.group(2))).isPositive();
        String base = listening.group(1);
        String key = Files.readString(dir.resolve("data").resolve("api-key")).trim();
        assertThat(stderr()).contains("API key: generated into " + dir.resolve("data").resolve("api-key"))
                .doesNotContain(key);

        long pid = startSleeper(base, key);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();

        assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
        assertThat(stderr()).contains("shutting down").contains("stopped");
        Optional<ProcessHandle> sleeper = ProcessHandle.of(pid);
        if (sleeper.isPresent()) {
            sleeper.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void the_default_data_directory_follows_home_as_the_readme_says() throws Exception {
        Path home = dir.resolve("somewhere");
        Files.createDirectories(home);
        Process p = run(List.of(), Map.of("HOME", home.toString(), "SANDGATE_PORT", "0", "SANDGATE_ISOLATION", "none"));
        BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> readLine(stdout))
                .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThat(LISTENING.matcher(line).matches()).as("first line on stdout: %s (stderr: %s)", line, stderr()).isTrue();
        assertThat(home.resolve(".sandgate").resolve("api-key")).isRegularFile();
        assertThat(stderr()).contains("API key: generated into " + home.resolve(".sandgate").resolve("api-key"));
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void a_bad_port_exits_2_with_a_message() throws Exception {
        Process p = run(List.of("--port=http"), Map.of());

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(stderr()).contains("sandgate: invalid port 'http' (from --port): not a whole number");
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void an_unreachable_redis_exits_1_naming_where_it_looked_and_never_the_password() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path password = Files.writeString(dir.resolve("redis.pw"), "pw-never-shown-7\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Process p = run(List.of("--store=redis", "--redis-url=redis://127.0.0.1:" + closed + "/5",
                "--redis-password-file=" + password), Map.of("SANDGATE_PORT", "0",
                "SANDGATE_DATA_DIR", dir.resolve("data").toString(), "SANDGATE_ISOLATION", "none"));

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(stderr()).isEqualTo(1);
        // a node opens its catalog and its store on the same Redis: whichever is first names the address
        assertThat(stderr()).containsPattern("sandgate: cannot start: the (shared store|node catalog) at "
                + "redis://127\\.0\\.0\\.1:" + closed + "/5 cannot be reached").doesNotContain("pw-never-shown-7");
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void help_exits_0() throws Exception {
        Process p = run(List.of("--help"), Map.of());

        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("SANDGATE_DATA_DIR");
    }

    private static long startSleeper(String base, String key) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> sandbox = http.send(authorised(URI.create(base + "/v0/sandboxes"), key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"sigterm\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sandbox.statusCode()).as(sandbox.body()).isEqualTo(200);
        Matcher url = URL.matcher(sandbox.body());
        assertThat(url.find()).isTrue();
        HttpResponse<String> process = http.send(authorised(URI.create(url.group(1) + "/process"), key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sleep 300\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(process.statusCode()).as(process.body()).isEqualTo(200);
        Matcher pid = PID.matcher(process.body());
        assertThat(pid.find()).isTrue();
        return Long.parseLong(pid.group(1));
    }

    private static HttpRequest.Builder authorised(URI uri, String key) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("x-blaxel-authorization", "Bearer " + key)
                .header("x-blaxel-workspace", "default")
                .header("Content-Type", "application/json");
    }

    private static String readLine(BufferedReader reader) {
        try {
            String line = reader.readLine();
            return line == null ? "(end of output)" : line;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
