package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.audit.AuditEntry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes audit entries to a receiver as they are recorded: {@code POST} of {@code {"entries":[...]}} (at most
 * {@link AuditWebhookSettings#batchSize()} entries, oldest first), signed so that the receiver can tell it came from
 * this broker and is not a replay:
 * <pre>
 * X-Sandgate-Timestamp: 1764669600                     (Unix seconds when this attempt was sent)
 * X-Sandgate-Signature: sha256=&lt;hex of HMAC-SHA256(secret, timestamp + "." + body)&gt;
 * </pre>
 * A receiver recomputes the HMAC over the timestamp header, a dot and the raw body, compares in constant time, and
 * refuses a timestamp more than a few minutes from its own clock.
 *
 * <p><b>At least once.</b> An entry leaves the queue only once a request holding it was answered 2xx; a request that
 * fails (refused connection, timeout, any other status) is sent again after a backoff, exponential from
 * {@link AuditWebhookSettings#initialBackoff()} to {@link AuditWebhookSettings#maxBackoff()}, each delay drawn
 * between half and all of its step (jitter, so that brokers do not retry in step). A receiver that processed a request
 * whose answer was lost gets its entries again: it deduplicates by their {@code id}.
 *
 * <p><b>Bounded, never blocking.</b> {@link #offer} is a short lock and no I/O, callable on an event loop; at most
 * {@link AuditWebhookSettings#queueCapacity()} entries wait, and beyond that the oldest are dropped and counted. One
 * request is in flight at a time, on a Vert.x context of its own, with the core {@link HttpClient}.
 */
final class AuditWebhook {
    static final String SIGNATURE_HEADER = "X-Sandgate-Signature";
    static final String TIMESTAMP_HEADER = "X-Sandgate-Timestamp";
    private static final Logger LOG = LoggerFactory.getLogger(AuditWebhook.class);

    private final Vertx vertx;
    private final Context context;
    private final HttpClient client;
    private final AuditWebhookSettings settings;
    private final SecretKeySpec key;
    private final Clock clock;
    private final BrokerMeters meters;
    private final Deque<AuditEntry> queue = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong attemptsFailed = new AtomicLong();
    /** Touched on {@link #context} only. */
    private boolean inFlight;
    private long retryTimer = -1;
    private int failures;
    private boolean closed;

    AuditWebhook(Vertx vertx, AuditWebhookSettings settings, Clock clock, BrokerMeters meters) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.settings = settings;
        this.key = new SecretKeySpec(settings.secret(), "HmacSHA256");
        this.clock = clock;
        this.meters = meters;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
                .setKeepAlive(true)
                .setDecompressionSupported(false));
    }

    /** Queues an entry for the receiver; drops the oldest waiting when full. Any thread. */
    void offer(AuditEntry entry) {
        synchronized (queue) {
            if (queue.size() >= settings.queueCapacity()) {
                queue.pollFirst();
                dropped.incrementAndGet();
                meters.auditDropped("webhook");
            }
            queue.addLast(entry);
        }
        context.runOnContext(v -> pump());
    }

    long dropped() {
        return dropped.get();
    }

    long delivered() {
        return delivered.get();
    }

    long failedAttempts() {
        return attemptsFailed.get();
    }

    int waiting() {
        synchronized (queue) {
            return queue.size();
        }
    }

    void close() {
        context.runOnContext(v -> {
            closed = true;
            if (retryTimer >= 0) {
                vertx.cancelTimer(retryTimer);
            }
            client.close();
        });
    }

    private void pump() {
        if (inFlight || retryTimer >= 0 || closed) {
            return;
        }
        List<AuditEntry> batch;
        synchronized (queue) {
            batch = new ArrayList<>(queue.stream().limit(settings.batchSize()).toList());
        }
        if (batch.isEmpty()) {
            return;
        }
        inFlight = true;
        String body = new JsonObject().put("entries", AuditWire.entries(batch)).encode();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(settings.url().toString())
                .setConnectTimeout(settings.timeout().toMillis())
                .setIdleTimeout(settings.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader(TIMESTAMP_HEADER, timestamp)
                .putHeader(SIGNATURE_HEADER, "sha256=" + sign(timestamp, body))
                .putHeader("User-Agent", "sandgate-audit");
        client.request(request)
                .compose(r -> r.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(ar -> {
                    inFlight = false;
                    if (ar.succeeded() && ar.result() / 100 == 2) {
                        sent(batch);
                    } else {
                        retryLater(ar.succeeded() ? "status " + ar.result() : ar.cause().getClass().getSimpleName());
                    }
                });
    }

    private void sent(List<AuditEntry> batch) {
        Set<String> ids = batch.stream().map(AuditEntry::id).collect(Collectors.toSet());
        synchronized (queue) {
            queue.removeIf(e -> ids.contains(e.id()));
        }
        delivered.addAndGet(batch.size());
        if (failures > 0) {
            LOG.info("the audit webhook answers again after {} failed attempts", failures);
        }
        failures = 0;
        pump();
    }

    private void retryLater(String why) {
        attemptsFailed.incrementAndGet();
        failures++;
        long step = settings.initialBackoff().toMillis() << Math.min(failures - 1, 30);
        long cap = Math.min(settings.maxBackoff().toMillis(), step <= 0 ? Long.MAX_VALUE : step);
        long delay = Math.max(1, cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
        if (failures == 1 || failures % 20 == 0) {
            LOG.warn("the audit webhook failed ({}); retrying in {} ms (attempt {})", why, delay, failures);
        }
        if (closed) {
            return;
        }
        retryTimer = vertx.setTimer(delay, id -> {
            retryTimer = -1;
            pump();
        });
    }

    /** The hex HMAC-SHA256 of {@code timestamp + "." + body} under the secret. */
    String sign(String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
