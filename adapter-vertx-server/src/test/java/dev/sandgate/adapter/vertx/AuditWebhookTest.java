package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditRetention;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.contract.InMemoryAuditLog;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit webhook against a real receiver (a Vert.x HTTP server on its own port) that is slow, then down, then back:
 * the broker's requests are never held by it, every entry produced meanwhile arrives once it is back, each body signed,
 * none twice; a receiver away for longer than the queue holds loses the oldest entries, counted.
 */
class AuditWebhookTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final byte[] SECRET = "webhook-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private final InMemoryAuditLog log = new InMemoryAuditLog(new AuditRetention(Duration.ofDays(36_500), 1000),
            java.time.Clock.systemUTC());
    private final Receiver receiver = new Receiver();
    private BrokerFixture broker;
    private SandboxName box;
    private String token;

    /** What the receiver got: the signature headers and the raw body. */
    record Delivery(String timestamp, String signature, String body) {
    }

    /** A webhook receiver that answers 200 at once, or holds every request until released. */
    static final class Receiver {
        final Vertx vertx = Vertx.vertx();
        final List<Delivery> received = new CopyOnWriteArrayList<>();
        final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        final List<Delivery> heldDeliveries = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        volatile HttpServer server;
        int port;

        void listen(int onPort) throws Exception {
            server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
                Delivery d = new Delivery(request.getHeader(AuditWebhook.TIMESTAMP_HEADER),
                        request.getHeader(AuditWebhook.SIGNATURE_HEADER), body.toString(StandardCharsets.UTF_8));
                if (hold) {
                    heldDeliveries.add(d);
                    held.add(request);
                } else {
                    received.add(d);
                    request.response().setStatusCode(204).end();
                }
            }));
            server.listen(onPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            port = server.actualPort();
        }

        /** Back on the port it had: the port may stay busy for a moment after the close, so binding is retried. */
        void back() {
            int same = port;
            Eventually.await("the receiver listening again on port " + same, PATIENCE, () -> {
                try {
                    listen(same);
                    return true;
                } catch (Exception busy) {
                    return false;
                }
            });
        }

        void down() throws Exception {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        /** Answers what it held, as delivered, and answers at once from now on. */
        void release() {
            hold = false;
            received.addAll(heldDeliveries);
            held.forEach(r -> r.response().setStatusCode(200).end());
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + port + "/hooks/audit");
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            for (Delivery d : received) {
                new JsonObject(d.body()).getJsonArray("entries").forEach(e -> ids.add(((JsonObject) e).getString("id")));
            }
            return ids;
        }
    }

    @BeforeEach
    void start() throws Exception {
        receiver.listen(0);
    }

    private void broker(AuditWebhookSettings webhook) {
        broker = new BrokerFixture(Auditing.to(log).withWebhook(webhook));
        box = broker.sandbox("box");
        JsonObject body = new JsonObject()
                .put("metadata", new JsonObject().put("name", "session-1"))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
                        .put("expires", BrokerFixture.T0.plusSeconds(3600).toString()))
                .put("sandgate", new JsonObject().put("subject", "user-42"));
        assertThat(broker.post("/v0/sandboxes/box/previews", body).statusCode()).isEqualTo(200);
        HttpResponse<String> minted = broker.post("/v0/sandboxes/box/previews/session-1/tokens", new JsonObject()
                .put("spec", new JsonObject().put("expiresAt", BrokerFixture.T0.plusSeconds(3600).toString())));
        token = json(minted).getJsonObject("spec").getString("token");
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        receiver.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private long useTheSession() {
        long started = System.nanoTime();
        HttpResponse<String> r = broker.send(broker.request(broker.sessionUrl(box, "session-1") + "/process")
                .header("X-Blaxel-Preview-Token", token).GET());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    private static void assertSigned(Delivery d) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        byte[] expected = ("sha256=" + HexFormat.of().formatHex(mac.doFinal((d.timestamp() + "." + d.body())
                .getBytes(StandardCharsets.UTF_8)))).getBytes(StandardCharsets.US_ASCII);
        assertThat(d.signature()).isNotNull();
        assertThat(MessageDigest.isEqual(expected, d.signature().getBytes(StandardCharsets.US_ASCII)))
                .as("signature of %s", d.body()).isTrue();
        assertThat(Long.parseLong(d.timestamp())).isEqualTo(BrokerFixture.T0.getEpochSecond());
    }

    @Test
    void a_slow_then_down_receiver_never_holds_a_request_and_gets_every_entry_once_back() throws Exception {
        broker(AuditWebhookSettings.of(receiver.url(), SECRET).withBackoff(Duration.ofMillis(20),
                Duration.ofMillis(200)).withTimeout(Duration.ofSeconds(60)));
        AuditWebhook webhook = broker.broker.audit().webhook().orElseThrow();

        // slow: the receiver holds the webhook's request; the broker's requests are answered meanwhile
        receiver.hold = true;
        useTheSession();
        Eventually.await("the receiver holds a webhook call", PATIENCE, () -> !receiver.held.isEmpty());
        for (int i = 0; i < 3; i++) {
            long millis = useTheSession();
            assertThat(millis).as("a session request while the receiver holds the webhook").isLessThan(5_000);
        }
        assertThat(receiver.received).as("the held call is still unanswered").isEmpty();
        assertThat(receiver.held).hasSize(1);
        receiver.release();
        Eventually.await("4 entries delivered", PATIENCE, () -> receiver.ids().size() >= 4);

        // down: connection refused; the broker answers as ever, the webhook retries
        receiver.down();
        long failedBefore = webhook.failedAttempts();
        for (int i = 0; i < 5; i++) {
            useTheSession();
        }
        Eventually.await("the webhook retries a refused connection", PATIENCE,
                () -> webhook.failedAttempts() >= failedBefore + 2);

        // back on the same port: everything produced meanwhile arrives
        receiver.back();
        Eventually.await("all 9 entries stored", PATIENCE, () -> log.all().size() == 9);
        Set<String> stored = log.all().stream().map(AuditEntry::id).collect(Collectors.toSet());
        Eventually.await("every entry delivered", PATIENCE, () -> Set.copyOf(receiver.ids()).containsAll(stored));

        assertThat(receiver.ids()).doesNotHaveDuplicates().hasSize(9);
        for (Delivery d : receiver.received) {
            assertSigned(d);
            assertThat(d.body()).doesNotContain(token).doesNotContain(BrokerFixture.KEY);
            JsonObject first = new JsonObject(d.body()).getJsonArray("entries").getJsonObject(0);
            assertThat(first.getString("subject")).isEqualTo("user-42");
            assertThat(first.getString("operation")).isEqualTo("process.list");
        }
        assertThat(webhook.dropped()).isZero();
    }

    @Test
    void a_receiver_away_longer_than_the_queue_holds_loses_the_oldest_entries_counted() throws Exception {
        broker(AuditWebhookSettings.of(receiver.url(), SECRET).withQueueCapacity(3)
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100)));
        AuditWebhook webhook = broker.broker.audit().webhook().orElseThrow();
        receiver.down();
        for (int i = 0; i < 6; i++) {
            useTheSession();
        }
        Eventually.await("6 entries stored", PATIENCE, () -> log.all().size() == 6);
        Eventually.await("3 dropped", PATIENCE, () -> webhook.dropped() == 3);

        receiver.back();
        List<String> newest = log.all().subList(3, 6).stream().map(AuditEntry::id).toList();
        Eventually.await("the newest 3 delivered", PATIENCE, () -> receiver.ids().containsAll(newest));
        assertThat(receiver.ids()).containsExactlyElementsOf(newest);
    }

    @Test
    void a_receiver_that_refuses_with_a_status_gets_the_batch_again() throws Exception {
        receiver.down();
        List<Integer> statuses = new CopyOnWriteArrayList<>(List.of(500, 503));
        receiver.server = receiver.vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (!statuses.isEmpty()) {
                request.response().setStatusCode(statuses.remove(0)).end();
                return;
            }
            receiver.received.add(new Delivery(request.getHeader(AuditWebhook.TIMESTAMP_HEADER),
                    request.getHeader(AuditWebhook.SIGNATURE_HEADER), body.toString(StandardCharsets.UTF_8)));
            request.response().setStatusCode(200).end();
        }));
        receiver.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        receiver.port = receiver.server.actualPort(); // a port of its own: the one just closed may still be held
        broker(AuditWebhookSettings.of(receiver.url(), SECRET).withBackoff(Duration.ofMillis(20),
                Duration.ofMillis(100)));
        useTheSession();
        Eventually.await("delivered after two refusals", PATIENCE, () -> receiver.ids().size() == 1);
        assertThat(broker.broker.audit().webhook().orElseThrow().failedAttempts()).isEqualTo(2);
        assertSigned(receiver.received.get(0));
    }
}
