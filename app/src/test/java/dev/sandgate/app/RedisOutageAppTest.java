package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.redis.RedisAccessStore;
import dev.sandgate.adapter.redis.RedisEndpoint;
import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.adapter.redis.TcpRelay;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker over a real Redis that goes away: what clients see over HTTP. The broker reaches Redis through a TCP
 * relay the test can cut, so that it can also be made deaf to invalidations while another broker revokes.
 */
class RedisOutageAppTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TcpRelay relay;
    private SandgateApp app;
    private String key;
    private String base;

    @BeforeEach
    void start() throws Exception {
        relay = TcpRelay.to(REDIS.port());
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(List.of("--data-dir=data",
                "--isolation=none", "--port=0", "--store=redis", "--redis-url=redis://127.0.0.1:" + relay.port(),
                "--token-key-file=cluster/token.key", "--allow-unisolated-sessions=true",
                // one node for every test: the catalog in Redis outlives each test's data directory
                "--node-id=outage-node"), Map.of())).settings();
        app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
        key = app.apiKey().value();
        base = app.publicUrl().toString();
        assertThat(send("POST", "/v0/sandboxes", "{\"metadata\":{\"name\":\"shared\"}}").statusCode())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        REDIS.start();
        relay.refuseNew(false);
        app.close();
        relay.close();
    }

    @Test
    void redis_stopped_answers_503_with_a_json_code_on_every_face_and_redis_back_serves_again_without_a_restart()
            throws Exception {
        String token = mintSession("t1");
        assertThat(data(token).statusCode()).isEqualTo(200);

        REDIS.stop();

        HttpResponse<String> refused = awaitStatus(token, 503);
        assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        JsonObject body = new JsonObject(refused.body());
        assertThat(body.getString("reason")).isEqualTo("STORE_UNAVAILABLE");
        assertThat(body.getInteger("code")).isEqualTo(503);
        assertThat(body.getString("error")).contains("shared store");
        HttpResponse<String> control = send("GET", "/v0/sandboxes/shared/previews", null);
        assertThat(control.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(control.body()).getString("error")).isEqualTo("STORE_UNAVAILABLE");

        REDIS.start(); // empty: no persistence

        assertThat(awaitStatusOtherThan(token, 503).statusCode()).as("a token Redis lost").isEqualTo(401);
        String fresh = mintSession("t2");
        // the node catalog's own Redis connection reconnects on its own schedule; until then the owner of a sandbox
        // is unknown and the answer is a 503, never a guess
        assertThat(awaitStatusOtherThan(fresh, 503).statusCode()).isEqualTo(200);
    }

    @Test
    void a_session_revoked_while_the_broker_is_deaf_to_invalidations_is_never_accepted() throws Exception {
        String token = mintSession("t1");
        assertThat(data(token).statusCode()).isEqualTo(200); // verified, so held in the broker's memory
        relay.refuseNew(true);
        killSubscribers(); // the broker's subscription drops and cannot come back through the relay

        awaitStatus(token, 503);
        byte[] tokenKey = FileAccessStore.loadOrCreateKey(dir.resolve("cluster/token.key"), false);
        try (RedisAccessStore other = RedisAccessStore.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()),
                tokenKey)) { // another broker of the cluster revokes; its message reaches no one behind the relay
            assertThat(other.removeToken(SandboxName.of("shared"), PreviewName.of("session-1"), TokenName.of("t1")))
                    .isPresent();
        }
        HttpResponse<String> meanwhile = data(token);
        assertThat(meanwhile.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(meanwhile.body()).getString("reason")).isEqualTo("STORE_UNAVAILABLE");

        relay.refuseNew(false);

        assertThat(awaitStatusOtherThan(token, 503).statusCode()).isEqualTo(401);
    }

    private void killSubscribers() {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> c = client.connect(RedisURI.create(REDIS.url(0)))) {
            c.sync().clientKill(KillArgs.Builder.typePubsub());
        } finally {
            client.shutdown();
        }
    }

    /** Creates the session preview (once) and mints a token for it; returns the token. */
    private String mintSession(String name) throws Exception {
        String expires = Instant.now().plusSeconds(600).toString();
        HttpResponse<String> preview = send("POST", "/v0/sandboxes/shared/previews",
                "{\"metadata\":{\"name\":\"session-1\"},\"spec\":{\"port\":443,\"public\":false,\"expires\":\""
                        + expires + "\"}}");
        assertThat(preview.statusCode()).as(preview.body()).isIn(200, 409);
        HttpResponse<String> minted = send("POST", "/v0/sandboxes/shared/previews/session-1/tokens",
                "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        Matcher m = TOKEN.matcher(minted.body());
        assertThat(m.find()).as(minted.body()).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> awaitStatus(String token, int status) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Eventually.await("the session URL answers " + status, PATIENCE, () -> {
            last.set(data(token));
            assertThat(last.get().statusCode()).as("while waiting for " + status).isIn(200, status);
            return last.get().statusCode() == status;
        });
        return last.get();
    }

    private HttpResponse<String> awaitStatusOtherThan(String token, int status) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Eventually.await("the session URL answers other than " + status, PATIENCE, () -> {
            last.set(data(token));
            return last.get().statusCode() != status;
        });
        return last.get();
    }

    private HttpResponse<String> data(String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/s/shared/session-1/filesystem/"))
                    .timeout(Duration.ofSeconds(30)).header("X-Blaxel-Preview-Token", token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("x-blaxel-authorization", "Bearer " + key).header("x-blaxel-workspace", "default");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
