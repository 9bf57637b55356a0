package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.process.IsolationMode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandgateAppTest {
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SandgateApp start(AppSettings settings) {
        return SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
    }

    private AppSettings settings() {
        return AppSettings.defaults(dataDir).toBuilder().port(0).isolation(IsolationMode.NONE).build();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder withKey(URI uri, String key) {
        return HttpRequest.newBuilder(uri)
                .header("x-blaxel-authorization", "Bearer " + key)
                .header("x-blaxel-workspace", "default");
    }

    @Test
    void first_start_generates_an_owner_only_key_file_that_the_broker_accepts() throws Exception {
        try (SandgateApp app = start(settings())) {
            Path file = dataDir.resolve("api-key");
            assertThat(app.apiKey().generated()).isTrue();
            assertThat(app.apiKey().file()).contains(file);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            URI sandboxes = URI.create(app.publicUrl() + "/v0/sandboxes");

            assertThat(send(withKey(sandboxes, app.apiKey().value()).GET()).statusCode()).isEqualTo(200);
            assertThat(send(withKey(sandboxes, "not-the-key-0123456789").GET()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void a_restart_reuses_the_stored_key() {
        String first;
        try (SandgateApp app = start(settings())) {
            first = app.apiKey().value();
        }
        try (SandgateApp app = start(settings())) {
            assertThat(app.apiKey().value()).isEqualTo(first);
            assertThat(app.apiKey().generated()).isFalse();
        }
    }

    @Test
    void a_configured_key_is_used_and_no_key_file_is_written() throws Exception {
        try (SandgateApp app = start(settings().toBuilder().apiKey("configured-key-0123456789").build())) {
            assertThat(app.apiKey().file()).isEmpty();
            assertThat(dataDir.resolve("api-key")).doesNotExist();
            URI sandboxes = URI.create(app.publicUrl() + "/v0/sandboxes");
            assertThat(send(withKey(sandboxes, "configured-key-0123456789").GET()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void an_app_preview_has_an_origin_of_its_own_that_serves_root_paths_and_is_reopened_after_a_restart()
            throws Exception {
        int appPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            appPort = probe.getLocalPort();
        }
        String previewUrl;
        try (SandgateApp app = start(settings())) {
            String dataPlane = createSandboxAndServe(app, appPort);
            HttpResponse<String> preview = send(withKey(URI.create(app.publicUrl() + "/v0/sandboxes/origin/previews"),
                    app.apiKey().value()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"app\"},\"spec\":{\"port\":"
                            + appPort + ",\"public\":true}}")));
            assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
            Matcher own = Pattern.compile("\"url\"\\s*:\\s*\"(http://127\\.0\\.0\\.1:\\d+)\"").matcher(preview.body());
            assertThat(own.find()).as(preview.body()).isTrue();
            previewUrl = own.group(1);
            assertThat(URI.create(previewUrl).getPort()).isNotEqualTo(app.port());
            assertThat(dataPlane).isNotEmpty();

            HttpResponse<String> asset = send(HttpRequest.newBuilder(URI.create(previewUrl + "/assets/app.js")).GET());
            assertThat(asset.statusCode()).isEqualTo(200);
            assertThat(asset.body()).isEqualTo("served from the sandbox\n");
        }
        try (SandgateApp app = start(settings())) {
            HttpResponse<String> listed = send(withKey(URI.create(app.publicUrl() + "/v0/sandboxes/origin/previews/app"),
                    app.apiKey().value()).GET());
            assertThat(listed.body()).contains("\"url\":\"" + previewUrl + "\"");
            // the origin is open again before anyone names the URL; the application is not running yet
            HttpResponse<String> down = send(HttpRequest.newBuilder(URI.create(previewUrl + "/assets/app.js")).GET());
            assertThat(down.statusCode()).isIn(502, 503);

            createSandboxAndServe(app, appPort);
            HttpResponse<String> asset = send(HttpRequest.newBuilder(URI.create(previewUrl + "/assets/app.js")).GET());
            assertThat(asset.body()).isEqualTo("served from the sandbox\n");
        }
    }

    /** Creates sandbox "origin" if need be and serves its /srv on {@code port} with python's http.server. */
    private String createSandboxAndServe(SandgateApp app, int port) throws Exception {
        String key = app.apiKey().value();
        send(withKey(URI.create(app.publicUrl() + "/v0/sandboxes"), key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"origin\"}}")));
        HttpResponse<String> sandbox = send(withKey(URI.create(app.publicUrl() + "/v0/sandboxes/origin"), key).GET());
        Matcher url = URL.matcher(sandbox.body());
        assertThat(url.find()).as(sandbox.body()).isTrue();
        HttpResponse<String> process = send(withKey(URI.create(url.group(1) + "/process"), key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"mkdir -p srv/assets && echo 'served from the "
                        + "sandbox' > srv/assets/app.js && cd srv && exec python3 -m http.server " + port
                        + " --bind 127.0.0.1\",\"waitForPorts\":[" + port + "],\"timeout\":30}")));
        assertThat(process.statusCode()).as(process.body()).isEqualTo(200);
        return url.group(1);
    }

    @Test
    void close_stops_the_running_processes_and_frees_the_port() throws Exception {
        SandgateApp app = start(settings());
        long pid;
        int port = app.port();
        try {
            String key = app.apiKey().value();
            HttpResponse<String> sandbox = send(withKey(URI.create(app.publicUrl() + "/v0/sandboxes"), key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"shutdown-test\"}}")));
            assertThat(sandbox.statusCode()).as(sandbox.body()).isEqualTo(200);
            Matcher url = URL.matcher(sandbox.body());
            assertThat(url.find()).as(sandbox.body()).isTrue();

            HttpResponse<String> process = send(withKey(URI.create(url.group(1) + "/process"), key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"sleeper\",\"command\":\"sleep 300\"}")));
            assertThat(process.statusCode()).as(process.body()).isEqualTo(200);
            Matcher m = PID.matcher(process.body());
            assertThat(m.find()).as(process.body()).isTrue();
            pid = Long.parseLong(m.group(1));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        } finally {
            app.close();
        }

        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent()) {
            handle.get().onExit().get(20, TimeUnit.SECONDS); // close() already waited; this only bounds a slow reap
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            throw new AssertionError("port " + port + " still accepts connections after close");
        } catch (java.net.ConnectException expected) {
            // closed, as it should be
        }
    }

    @Test
    void close_is_idempotent_and_ends_await_termination() throws Exception {
        SandgateApp app = start(settings());

        app.close();
        app.close();

        app.awaitTermination();
    }
}
