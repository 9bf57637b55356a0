package dev.sandgate.app;

import static dev.sandgate.app.ClusterBrokers.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster as an operator runs one: two fronts ({@code --gateway=cluster}, each the packaged program in a process
 * of its own, so that one can be killed with SIGKILL) and two nodes (brokers with the local gateway, in this JVM) on
 * one real {@code redis-server}, behind a real nginx that balances round robin over the fronts and passes a request
 * on to the other front when one refuses the connection or times out ({@code proxy_next_upstream error timeout}).
 * Every broker has the load balancer's public URL, so every URL a client is handed names nginx.
 */
class LoadBalancedClusterIT {
    private static final long NODE_TIMEOUT_SECONDS = 180;
    /** The seed flow's step after which the test kills a front: its web server then runs, and half the flow is left. */
    private static final String KILL_AFTER = "session.process.exec.waitForPorts";

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final AtomicInteger DATABASES = new AtomicInteger(6);

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private SandgateApp nodeA;
    private SandgateApp nodeB;
    private ClusterBrokers.Child front1;
    private ClusterBrokers.Child front2;
    private Nginx nginx;
    private String lb;

    @BeforeEach
    void start() throws Exception {
        int lbPort = freePort();
        lb = "http://127.0.0.1:" + lbPort;
        // one database per test method, so that they share nothing but the server
        String redis = REDIS.url(DATABASES.getAndIncrement());
        Path key = Files.createDirectories(dir.resolve("cluster")).resolve("token.key");
        String publicUrl = "--public-url=" + lb;
        // the first broker creates the token key; the others start once it exists
        nodeA = ClusterBrokers.start(dir, brokerFlags(redis, key, dir.resolve("node-a"), "--node-id=node-a",
                publicUrl));
        running.add(nodeA);
        nodeB = ClusterBrokers.start(dir, brokerFlags(redis, key, dir.resolve("node-b"), "--node-id=node-b",
                publicUrl));
        running.add(nodeB);
        CompletableFuture<ClusterBrokers.Child> one = startFront(redis, key, "front-1", publicUrl);
        CompletableFuture<ClusterBrokers.Child> two = startFront(redis, key, "front-2", publicUrl);
        front1 = one.get(90, TimeUnit.SECONDS);
        running.add(front1);
        front2 = two.get(90, TimeUnit.SECONDS);
        running.add(front2);

        // round robin (nginx's default) over the fronts; a front that refuses the connection or times out is
        // skipped for the next (and marked failed for fail_timeout). No keep-alive to the fronts: a request is never
        // sent on a connection a killed front left behind, so even a POST is retried safely (it was never sent).
        nginx = Nginx.start(dir, "lb", 1, String.join("\n",
                " log_format lb '$upstream_addr|$upstream_status|$status|$request_method|$uri';",
                " access_log " + dir.resolve("nginx-lb").resolve("access.log") + " lb;",
                " map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
                " upstream fronts {",
                "  server " + front1.url.getRawAuthority() + " max_fails=1 fail_timeout=10s;",
                "  server " + front2.url.getRawAuthority() + " max_fails=1 fail_timeout=10s;",
                " }",
                " server {",
                "  listen 127.0.0.1:" + lbPort + ";",
                "  client_max_body_size 0;",
                "  location / {",
                "   proxy_pass http://fronts;",
                "   proxy_http_version 1.1;",
                "   proxy_set_header Host $http_host;", // the brokers check it against the public URL
                "   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "   proxy_set_header Upgrade $http_upgrade;",
                "   proxy_set_header Connection $connection_upgrade;",
                "   proxy_next_upstream error timeout;",
                "   proxy_next_upstream_tries 2;",
                "   proxy_connect_timeout 2s;",
                "   proxy_read_timeout 120s;",
                "   proxy_buffering off;", // log streams and watches flow as they are written
                "   proxy_request_buffering off;",
                "  }",
                " }"));
        running.add(nginx);
        nginx.awaitListening(lbPort);
    }

    /**
     * The cluster tests' flags with a heartbeat of 2 s (dead after 6 s): no node dies here, and a loaded machine must
     * not make a node that lives look dead.
     */
    private static List<String> brokerFlags(String redis, Path key, Path data, String... more) {
        return flags(redis, key, data, more).stream()
                .map(flag -> flag.startsWith("--node-heartbeat=") ? "--node-heartbeat=2s" : flag).toList();
    }

    private CompletableFuture<ClusterBrokers.Child> startFront(String redis, Path key, String name, String publicUrl) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ClusterBrokers.Child.startJar(brokerFlags(redis, key, dir.resolve(name), "--gateway=cluster",
                        publicUrl), dir.resolve(name + ".log"));
            } catch (Exception e) {
                throw new IllegalStateException("front " + name + " did not start", e);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void a_session_minted_through_one_front_is_served_by_the_other_and_once_deleted_is_refused_everywhere_within_a_second()
            throws Exception {
        String f1 = front1.url.toString();
        String f2 = front2.url.toString();
        assertOk(post(f1 + "/v0/sandboxes", "{\"metadata\":{\"name\":\"shared\","
                + "\"labels\":{\"sandgate-node\":\"node-a\"}}}"));
        // a session as the SDK mints one (a private preview of port 443 and a token), through front 1
        String expires = Instant.now().plusSeconds(600).toString();
        assertOk(post(f1 + "/v0/sandboxes/shared/previews", "{\"metadata\":{\"name\":\"session-lb\"},\"spec\":"
                + "{\"port\":443,\"public\":false,\"expires\":\"" + expires + "\"}}"));
        HttpResponse<String> minted = post(f1 + "/v0/sandboxes/shared/previews/session-lb/tokens",
                "{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
        assertOk(minted);
        String token = field(minted.body(), "token").orElseThrow();

        Map<String, String> brokers = new LinkedHashMap<>();
        brokers.put("front 2", f2);
        brokers.put("node A", nodeA.listenUrl().toString());
        brokers.put("node B", nodeB.listenUrl().toString());
        brokers.put("nginx", lb);
        for (Map.Entry<String, String> broker : brokers.entrySet()) {
            HttpResponse<String> used = bySession(broker.getValue(), token);
            assertThat(used.statusCode()).as("the session through %s: %s", broker.getKey(), used.body())
                    .isEqualTo(200);
        }

        assertOk(send(withKey(f1 + "/v0/sandboxes/shared/previews/session-lb").DELETE()));
        long deleted = System.nanoTime();
        Map<String, Long> refusedAfterMillis = new LinkedHashMap<>();
        Map<String, Integer> lastStatus = new LinkedHashMap<>();
        try {
            Eventually.await("the deleted session refused by every broker", Duration.ofSeconds(1), () -> {
                for (Map.Entry<String, String> broker : brokers.entrySet()) {
                    if (refusedAfterMillis.containsKey(broker.getKey())) {
                        continue;
                    }
                    int status = bySession(broker.getValue(), token).statusCode();
                    lastStatus.put(broker.getKey(), status);
                    if (status == 401) {
                        refusedAfterMillis.put(broker.getKey(), (System.nanoTime() - deleted) / 1_000_000);
                    }
                }
                return refusedAfterMillis.size() == brokers.size();
            });
        } catch (AssertionError late) {
            fail("after 1 s, refused by %s; last answers %s", refusedAfterMillis, lastStatus);
        }
        System.out.println("deleted session refused after (ms): " + refusedAfterMillis);
    }

    @Test
    void the_official_sdk_seed_flow_through_nginx_finishes_through_the_other_front_when_one_is_killed_midway()
            throws Exception {
        Path log = dir.resolve("seed-flow.log");
        ProcessBuilder builder = new ProcessBuilder("node", "seed-flow.mjs")
                .directory(sdkDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("BL_"));
        env.put("BL_API_URL", lb + "/v0");
        env.put("BL_WORKSPACE", "default");
        env.put("BL_API_KEY", API_KEY);
        env.put("BL_DISABLE_H2", "true");
        env.put("DO_NOT_TRACK", "1");
        env.put("SANDBOX_NAME", "seed-lb");
        env.put("APP_PORT", Integer.toString(freePort()));
        env.put("PAUSE_AFTER", KILL_AFTER);
        Process node = builder.start();
        try {
            Eventually.await("the seed flow at " + KILL_AFTER, Duration.ofSeconds(NODE_TIMEOUT_SECONDS), () -> {
                if (!node.isAlive()) {
                    throw new IllegalStateException("the seed flow ended early:\n" + read(log));
                }
                return read(log).contains("paused after " + KILL_AFTER);
            });
            Path access = dir.resolve("nginx-lb").resolve("access.log");
            String before = read(access);
            assertThat(before).as("round robin: both fronts served the first half")
                    .contains(front1.url.getRawAuthority() + "|").contains(front2.url.getRawAuthority() + "|");

            front1.kill(); // SIGKILL, and waits until it is gone
            assertThat(front1.process.isAlive()).isFalse();
            OutputStream stdin = node.getOutputStream();
            stdin.write("\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();

            boolean finished = node.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = read(log);
            System.out.println("---- seed-flow.mjs through nginx ----");
            System.out.print(out);
            System.out.println("---- end of seed-flow.mjs ----");
            assertThat(finished).as("the seed flow finished within %d s", NODE_TIMEOUT_SECONDS).isTrue();
            List<String> lines = out.lines().toList();
            assertThat(lines).as("failed steps").noneMatch(line -> line.startsWith("FAIL "));
            assertThat(lines).contains("ok sandbox.createIfNotExists", "ok sessions.create", "ok fromSession",
                    "ok " + KILL_AFTER, "ok preview.fetch.public", "ok session.process.streamLogs",
                    "ok preview.fetch.private.withToken", "ok session.deleted.refused", "all steps passed");
            assertThat(node.exitValue()).as("exit status of seed-flow.mjs").isZero();

            List<String> after = read(access).substring(before.length()).lines().toList();
            String dead = front1.url.getRawAuthority();
            String alive = front2.url.getRawAuthority();
            assertThat(after).as("every request after the kill was answered by front 2").isNotEmpty()
                    .allMatch(line -> line.split("\\|")[0].endsWith(alive));
            assertThat(after).as("a request nginx tried on the killed front first, then passed on to front 2")
                    .anyMatch(line -> line.startsWith(dead + ", " + alive + "|"));
            assertThat(after).as("no answer of nginx's own (502, 504)")
                    .noneMatch(line -> line.split("\\|")[2].matches("50[24]"));
        } finally {
            if (node.isAlive()) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly();
            }
        }
    }

    private static HttpResponse<String> bySession(String broker, String token) {
        try {
            return send(HttpRequest.newBuilder(URI.create(broker + "/s/shared/session-lb/process"))
                    .timeout(Duration.ofSeconds(30)).header("X-Blaxel-Preview-Token", token));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where Maven ran {@code npm ci} for the SDK ({@code src/test/node}, as for {@code SdkCompatibilityTest}). */
    private static Path sdkDirectory() {
        Path sdk = Path.of(System.getProperty("sandgate.sdk.dir", "src/test/node")).toAbsolutePath();
        if (!Files.isDirectory(sdk.resolve("node_modules").resolve("@blaxel").resolve("core"))) {
            fail("the SDK is not installed in " + sdk + ": run 'npm ci' there (Maven does it in process-test-resources)");
        }
        return sdk;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
