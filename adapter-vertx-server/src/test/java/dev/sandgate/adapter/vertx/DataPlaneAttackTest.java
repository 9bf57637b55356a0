package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.SandboxGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Process operations under attack: other sandboxes' pids, oversized and hostile bodies, abandoned log streams. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneAttackTest {
    private final AtomicInteger liveSubscriptions = new AtomicInteger();
    private BrokerFixture broker;
    private SandboxName a;
    private SandboxName b;
    private String token;
    private String session;

    @BeforeAll
    void start() {
        broker = new BrokerFixture(s -> s.toBuilder().keepaliveInterval(Duration.ofMillis(100)).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS), this::countingSubscriptions);
        a = broker.sandbox("sandbox-a");
        b = broker.sandbox("sandbox-b");
        PreviewToken t = broker.session(a, "session-1", BrokerFixture.T0.plus(Duration.ofDays(1)), Map.of());
        token = t.value().value();
        session = broker.sessionUrl(a, "session-1");
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    /** The gateway as the broker sees it, counting log subscriptions that are live (taken and not cancelled). */
    private SandboxGateway countingSubscriptions(SandboxGateway gateway) {
        return decorate(SandboxGateway.class, gateway, (method, args, result) ->
                result instanceof DataPlane dp ? decorate(DataPlane.class, dp, (m, a2, r) -> {
                    if (m.equals("streamLogs") && r instanceof LogSubscription s) {
                        liveSubscriptions.incrementAndGet();
                        AtomicBoolean cancelled = new AtomicBoolean();
                        return (LogSubscription) () -> {
                            if (cancelled.compareAndSet(false, true)) {
                                liveSubscriptions.decrementAndGet();
                            }
                            s.cancel();
                        };
                    }
                    return r;
                }) : result);
    }

    private interface After {
        Object apply(String method, Object[] args, Object result);
    }

    @SuppressWarnings("unchecked")
    private static <T> T decorate(Class<T> type, T target, After after) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                return after.apply(method.getName(), args, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private HttpRequest.Builder req(String path) {
        return broker.request(session + path).header("X-Blaxel-Preview-Token", token);
    }

    private HttpResponse<String> exec(String body) {
        return broker.send(req("/process").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void await(IntSupplier value, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(value.getAsInt()).isEqualTo(expected);
    }

    @Test
    @DisplayName("get, stop and kill of another sandbox's pid or name through this sandbox's URL, or of a guessed pid: 404")
    void other_sandboxes_processes_and_guessed_pids_are_404() {
        var other = broker.send(broker.withKey(broker.sandboxUrl(b) + "/process").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"theirs\",\"command\":\"sleep 600\"}")));
        String otherPid = json(other).getString("pid");
        // A sandbox of its own that runs nothing, so that every pid below is either another sandbox's or a guess.
        SandboxName c = broker.sandbox("sandbox-c");
        String cToken = broker.session(c, "session-c", BrokerFixture.T0.plus(Duration.ofDays(1)), Map.of()).value().value();
        java.util.function.Function<String, HttpRequest.Builder> onC = path ->
                broker.request(broker.sessionUrl(c, "session-c") + path).header("X-Blaxel-Preview-Token", cToken);

        for (String id : List.of(otherPid, "theirs", "1", "12345", "999999999", "..%2Ftheirs")) {
            assertThat(broker.send(onC.apply("/process/" + id).GET()).statusCode()).as("GET " + id).isEqualTo(404);
            assertThat(broker.send(onC.apply("/process/" + id + "/logs").GET()).statusCode()).as("logs " + id).isEqualTo(404);
            assertThat(broker.send(onC.apply("/process/" + id + "/logs/stream").GET()).statusCode()).as("stream " + id)
                    .isEqualTo(404);
            HttpResponse<String> stop = broker.send(onC.apply("/process/" + id).DELETE());
            HttpResponse<String> kill = broker.send(onC.apply("/process/" + id + "/kill").DELETE());
            assertThat(stop.statusCode()).as("stop " + id).isEqualTo(404);
            assertThat(kill.statusCode()).as("kill " + id).isEqualTo(404);
            assertThat(json(kill).getString("error")).isNotBlank();
        }
        var stillRunning = json(broker.send(broker.withKey(broker.sandboxUrl(b) + "/process/" + otherPid).GET()));
        assertThat(stillRunning.getString("status")).isEqualTo("running");
        broker.send(broker.withKey(broker.sandboxUrl(b) + "/process/" + otherPid + "/kill").DELETE());
    }

    @Test
    void an_exec_body_over_the_limit_is_a_json_413() {
        String big = "{\"command\":\"echo " + "a".repeat((int) BrokerSettings.DEFAULT_BODY_LIMIT_BYTES) + "\"}";

        HttpResponse<String> r = exec(big);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(json(r).getInteger("code")).isEqualTo(413);
    }

    @Test
    @DisplayName("JSON nested 10k deep, as the body or inside env: 400, no stack overflow, no 500")
    void deeply_nested_json_is_400() {
        String deepArray = "[".repeat(10_000) + "]".repeat(10_000);
        String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

        for (String body : List.of(deepArray, deepObject, "{\"command\":\"echo a\",\"env\":" + deepObject + "}",
                "{\"command\":\"echo a\",\"x\":" + deepArray + "}")) {
            HttpResponse<String> r = exec(body);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(json(r).getString("error")).isNotBlank();
        }
        assertThat(exec("{\"command\":\"echo still-alive\",\"waitForCompletion\":true}").statusCode()).isEqualTo(200);
    }

    @Test
    void an_env_of_10k_entries_is_400() {
        StringBuilder env = new StringBuilder("{");
        for (int i = 0; i < 10_000; i++) {
            env.append(i == 0 ? "" : ",").append("\"V").append(i).append("\":\"x\"");
        }
        env.append('}');

        HttpResponse<String> r = exec("{\"command\":\"echo a\",\"env\":" + env + "}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).getString("error")).contains("environment");
    }

    @Test
    @DisplayName("a NUL or over-long workingDir is 400 and never runs; '..' never climbs above the sandbox root")
    void a_hostile_working_dir_is_refused_or_confined() {
        for (String dir : List.of("a\\u0000b", "/" + "d".repeat(4097))) {
            HttpResponse<String> r = exec("{\"command\":\"echo ran\",\"waitForCompletion\":true,\"workingDir\":\"" + dir + "\"}");
            assertThat(r.statusCode()).as(dir).isEqualTo(400);
            assertThat(r.body()).as(dir).doesNotContain("ran");
        }
        for (String dir : List.of("../../etc", "/tmp/../../..", "..\\\\..")) {
            HttpResponse<String> r = exec("{\"command\":\"echo ran\",\"waitForCompletion\":true,\"workingDir\":\"" + dir + "\"}");
            assertThat(r.statusCode()).as(dir).isNotEqualTo(500);
            if (r.statusCode() == 200) {
                // Sandbox paths clamp '..' at the sandbox's own root (SandboxPath): it ran inside, never above.
                assertThat(json(r).getString("workingDir")).as(dir).startsWith("/").doesNotContain("..");
            } else {
                assertThat(r.statusCode()).as(dir).isBetween(400, 499);
            }
        }
    }

    @Test
    void a_log_stream_client_that_disconnects_releases_the_subscription() throws IOException {
        String pid = json(exec("{\"name\":\"long-runner\",\"command\":\"sleep 600\"}")).getString("pid");
        int before = liveSubscriptions.get();

        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /s/sandbox-a/session-1/process/" + pid + "/logs/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Blaxel-Preview-Token: " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().contains("[keepalive]")) {
                int c = in.read();
                assertThat(c).isNotNegative();
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            await(liveSubscriptions::get, before + 1);
        }

        await(liveSubscriptions::get, before);
        broker.send(req("/process/" + pid + "/kill").DELETE());
    }
}
