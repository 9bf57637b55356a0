package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged example as the README runs it: {@code java -jar examples/target/sandgate-example.jar}. */
class ExampleJarIT {
    private static final Pattern READY = Pattern.compile("example page at (http://127\\.0\\.0\\.1:(\\d+)/)");
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

    @Test
    void the_jar_prints_the_page_url_serves_the_page_and_hands_out_a_session_then_stops_on_sigterm() throws Exception {
        Path jar = Path.of(System.getProperty("example.jar", "target/sandgate-example.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged example").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("SANDGATE_") || name.startsWith("EXAMPLE_"));
        builder.environment().put("SANDGATE_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("SANDGATE_PORT", "0");
        // the page runs on a session: served even where this machine cannot isolate processes
        builder.environment().put("SANDGATE_ALLOW_UNISOLATED_SESSIONS", "true");
        builder.environment().put("EXAMPLE_PORT", "0");
        builder.environment().put("EXAMPLE_APP_PORT", String.valueOf(Chromium.freePort()));
        program = builder.start();

        BufferedReader stdout = new BufferedReader(new InputStreamReader(program.getInputStream(),
                StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Matcher ready = READY.matcher(String.valueOf(line));
        assertThat(ready.matches()).as("first line on stdout: %s (stderr: %s)", line, stderr()).isTrue();
        URI page = URI.create(ready.group(1));
        String key = Files.readString(dir.resolve("data").resolve("api-key")).trim();

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> index = get(http, page);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("Sandbox Information", "app.js");
        HttpResponse<String> script = get(http, page.resolve("app.js"));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/javascript"));
        assertThat(script.body()).contains("X-Blaxel-Preview-Token").doesNotContain(key);

        HttpResponse<String> handoff = get(http, page.resolve("api/sandbox"));
        assertThat(handoff.statusCode()).as(handoff.body()).isEqualTo(200);
        JsonObject body = new JsonObject(handoff.body());
        JsonObject session = body.getJsonObject("session");
        assertThat(session.fieldNames()).containsExactlyInAnyOrder("name", "url", "token", "expiresAt");
        assertThat(session.getString("name")).startsWith("session-");
        assertThat(session.getString("url")).startsWith("http://127.0.0.1:");
        assertThat(session.getString("token")).isNotBlank().isNotEqualTo(key);
        assertThat(body.getString("preview_url")).startsWith("http://127.0.0.1:")
                .isNotEqualTo(session.getString("url"));
        assertThat(body.getInteger("app_port")).isPositive();
        assertThat(handoff.body()).doesNotContain(key);
        Path template = dir.resolve("data/images/blaxel_prod-base+latest");
        for (String app : List.of("blaxel/app", "app")) {
            assertThat(template.resolve(app).resolve(DevServerImage.GREETING_FILE)).content()
                    .contains(DevServerImage.GREETING);
            assertThat(template.resolve(app).resolve("node_modules/vite/package.json")).isRegularFile();
            assertThat(template.resolve(app).resolve("node_modules/.bin/vite")).isSymbolicLink();
        }

        program.destroy(); // SIGTERM
        assertThat(program.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM (stderr: %s)", stderr()).isTrue();
        assertThat(stderr()).contains("stopped").doesNotContain(key);
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String stderr() throws IOException {
        Path log = dir.resolve("stderr.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
