package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.redis.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program's probes and admin listener with their real parts: the Redis store's readiness follows a real
 * {@code redis-server} going away and coming back, and {@code --admin-listen} chooses where {@code /metrics} is.
 */
class OperatorsAppTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AppSettings load(String... args) {
        return ((Invocation.Run) SettingsLoader.create(dir, dir).load(List.of(args), Map.of())).settings();
    }

    @Test
    void the_admin_listener_is_off_unless_set_and_a_port_alone_binds_loopback() {
        assertThat(load("--data-dir=data").broker().adminListen()).isEmpty();
        assertThat(load("--data-dir=data", "--admin-listen=9464").broker().adminListen())
                .contains(new AdminListen("127.0.0.1", 9464));
        assertThat(load("--data-dir=data", "--admin-listen=[::1]:0").broker().adminListen())
                .contains(new AdminListen("::1", 0));
        assertThat(((Invocation.Run) SettingsLoader.create(dir, dir).load(List.of("--data-dir=data"),
                Map.of("SANDGATE_ADMIN_LISTEN", "0.0.0.0:9100"))).settings().broker().adminListen())
                .contains(new AdminListen("0.0.0.0", 9100));
        assertThatThrownBy(() -> load("--data-dir=data", "--admin-listen=localhost:http"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("admin-listen")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> load("--data-dir=data", "--admin-listen=127.0.0.1:70000"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("out of range");
    }

    @Test
    void without_the_admin_listener_the_probes_are_served_and_metrics_are_not() throws Exception {
        try (SandgateApp app = SandgateApp.start(load("--data-dir=data", "--isolation=none", "--port=0"),
                Clock.systemUTC(), new SecureRandom())) {
            assertThat(app.adminPort()).isEmpty();
            assertThat(get(app.listenUrl() + "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(app.listenUrl() + "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"name\":\"store\"");
            assertThat(get(app.listenUrl() + "/metrics").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void readyz_is_503_naming_the_store_while_redis_is_stopped_and_200_again_once_it_is_back() throws Exception {
        AppSettings settings = load("--data-dir=data", "--isolation=none", "--port=0", "--admin-listen=127.0.0.1:0",
                "--store=redis", "--redis-url=" + REDIS.url(2), "--token-key-file=cluster/token.key");
        try (SandgateApp app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom())) {
            String admin = "http://127.0.0.1:" + app.adminPort().orElseThrow();
            List<String> probes = List.of(app.listenUrl() + "/readyz", admin + "/readyz");
            for (String probe : probes) {
                assertThat(get(probe).statusCode()).as(probe).isEqualTo(200);
            }

            REDIS.stop();
            try {
                for (String probe : probes) {
                    HttpResponse<String> down = awaitStatus(probe, 503);
                    // a node (the local gateway on the Redis store): its registration cannot be read either
                    assertThat(down.body()).containsPattern("\"failing\":\\[[^\\]]*\"store\"")
                            .containsPattern("\"failing\":\\[[^\\]]*\"node\"")
                            .doesNotContain("127.0.0.1:" + REDIS.port());
                }
                assertThat(get(app.listenUrl() + "/healthz").statusCode()).isEqualTo(200);
            } finally {
                REDIS.start();
            }

            for (String probe : probes) {
                awaitStatus(probe, 200);
            }
            String metrics = get(admin + "/metrics").body();
            assertThat(metrics).contains("sandgate_store_calls_seconds_count{operation=\"ping\",outcome=\"ok\"}")
                    .contains("sandgate_store_calls_seconds_count{operation=\"ping\",outcome=\"error\"}")
                    // Vert.x's own meters, in the same registry
                    .contains("vertx_http_server_requests_total");
        }
    }

    private HttpResponse<String> awaitStatus(String url, int status) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        HttpResponse<String> last = get(url);
        while (last.statusCode() != status) {
            assertThat(System.nanoTime() - deadline).as("%s answers %s: %s", url, last.statusCode(), last.body())
                    .isNegative();
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            last = get(url);
        }
        return last;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
