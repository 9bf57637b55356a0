package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.redis.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The broker with its previews, tokens and sessions in a real Redis, and the settings that choose it. */
class RedisStoreAppTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AppSettings load(List<String> args, Map<String, String> env) {
        return ((Invocation.Run) SettingsLoader.create(dir, dir).load(args, env)).settings();
    }

    @Test
    void the_file_store_is_the_default_and_its_key_follows_the_token_key_file_setting() {
        AppSettings defaults = load(List.of("--data-dir=data"), Map.of());
        AppSettings moved = load(List.of("--data-dir=data"), Map.of("SANDGATE_TOKEN_KEY_FILE", "keys/token.key"));

        assertThat(defaults.store()).isEqualTo(StoreSettings.file(dir.resolve("data/secret.key")));
        assertThat(moved.store().tokenKeyFile()).isEqualTo(dir.resolve("keys/token.key"));
    }

    @Test
    void the_file_store_syncs_revocations_by_default_and_every_change_when_told() {
        assertThat(load(List.of("--data-dir=data"), Map.of()).store().fileSync())
                .isEqualTo(dev.sandgate.adapter.local.FileAccessStore.Sync.REVOCATIONS);
        assertThat(load(List.of("--data-dir=data", "--file-store-sync=always"), Map.of()).store().fileSync())
                .isEqualTo(dev.sandgate.adapter.local.FileAccessStore.Sync.EVERY_CHANGE);
        assertThatThrownBy(() -> load(List.of("--file-store-sync=never"), Map.of()))
                .hasMessageContaining("file-store-sync").hasMessageContaining("use 'revocations' or 'always'");
        Invocation.Run redis = (Invocation.Run) SettingsLoader.create(dir, dir).load(List.of("--store=redis",
                "--redis-url=redis://127.0.0.1:6379", "--file-store-sync=always"), Map.of());
        assertThat(redis.warnings()).anySatisfy(w -> assertThat(w).startsWith("ignoring file-store-sync"));
    }

    @Test
    void the_redis_store_reads_its_url_and_its_password_from_a_file_and_never_shows_the_password()
            throws IOException {
        Path password = Files.writeString(dir.resolve("redis.pw"), "s3cret-redis-pw\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));

        AppSettings s = load(List.of("--store=redis", "--redis-password-file=redis.pw"),
                Map.of("SANDGATE_REDIS_URL", "redis://10.1.2.3:6380/4"));

        assertThat(s.store().kind()).isEqualTo(StoreSettings.Kind.REDIS);
        var endpoint = s.store().redis().orElseThrow();
        assertThat(endpoint.host()).isEqualTo("10.1.2.3");
        assertThat(endpoint.port()).isEqualTo(6380);
        assertThat(endpoint.database()).isEqualTo(4);
        assertThat(endpoint.password()).contains("s3cret-redis-pw");
        assertThat(s.toString()).doesNotContain("s3cret-redis-pw").contains("redis://10.1.2.3:6380/4");
    }

    @Test
    void the_redis_store_without_a_url_or_with_a_password_in_it_or_an_open_password_file_is_refused()
            throws IOException {
        Path open = Files.writeString(dir.resolve("open.pw"), "pw");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> load(List.of("--store=redis"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("--redis-url");
        assertThatThrownBy(() -> load(List.of("--store=redis", "--redis-url=redis://:hunter22@127.0.0.1:6379"),
                Map.of())).isInstanceOf(ConfigurationException.class).hasMessageContaining("redis-url")
                .hasMessageNotContaining("hunter22");
        assertThatThrownBy(() -> load(List.of("--store=redis", "--redis-url=redis://127.0.0.1",
                "--redis-password-file=open.pw"), Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("open to others");
        assertThatThrownBy(() -> load(List.of("--store=memory"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'file' or 'redis'");
    }

    @Test
    void redis_unreachable_at_start_up_is_a_clear_error_and_exit_status_1() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        Main.Launch launch = Main.launch(List.of("--data-dir=data", "--isolation=none", "--port=0", "--store=redis",
                        "--redis-url=redis://127.0.0.1:" + closed), Map.of(), SettingsLoader.create(dir, dir),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), app -> { });

        assertThat(launch.status()).isEqualTo(1);
        assertThat(launch.app()).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("redis://127.0.0.1:" + closed + "/0")
                .contains("cannot be reached");
    }

    @Test
    void a_session_minted_on_a_broker_over_redis_opens_the_sandbox_and_survives_a_broker_restart() throws Exception {
        AppSettings settings = load(List.of("--data-dir=data", "--isolation=none", "--port=0", "--store=redis",
                "--redis-url=" + REDIS.url(1), "--token-key-file=cluster/token.key",
                "--allow-unisolated-sessions=true"), Map.of());
        String token;
        String sessionUrl;
        try (SandgateApp app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom())) {
            String key = app.apiKey().value();
            String base = app.publicUrl().toString();
            assertThat(post(base + "/v0/sandboxes", key, "{\"metadata\":{\"name\":\"shared\"}}").statusCode())
                    .isEqualTo(200);
            String expires = Instant.now().plusSeconds(600).toString();
            HttpResponse<String> preview = post(base + "/v0/sandboxes/shared/previews", key,
                    "{\"metadata\":{\"name\":\"session-1\"},\"spec\":{\"port\":443,\"public\":false,\"expires\":\""
                            + expires + "\"}}");
            assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
            HttpResponse<String> minted = post(base + "/v0/sandboxes/shared/previews/session-1/tokens", key,
                    "{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
            assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
            Matcher m = TOKEN.matcher(minted.body());
            assertThat(m.find()).isTrue();
            token = m.group(1);
            sessionUrl = base + "/s/shared/session-1";
            assertThat(getWithToken(sessionUrl + "/filesystem/", token).statusCode()).isEqualTo(200);
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("cluster/token.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dir.resolve("data/access")).doesNotExist(); // nothing of the store went to files

        try (SandgateApp again = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom())) {
            String url = sessionUrl.replaceFirst("http://127\\.0\\.0\\.1:\\d+", again.publicUrl().toString());
            assertThat(getWithToken(url + "/filesystem/", token).statusCode()).isEqualTo(200);
            assertThat(getWithToken(url + "/filesystem/", "bxp_" + "A".repeat(43)).statusCode())
                    .isIn(401, 403);
        }
    }

    private HttpResponse<String> post(String url, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("x-blaxel-authorization", "Bearer " + key).header("x-blaxel-workspace", "default")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getWithToken(String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-Blaxel-Preview-Token", token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
