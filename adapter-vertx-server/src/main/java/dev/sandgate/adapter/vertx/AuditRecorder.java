package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every use of a session: {@link AccessHandlers#session} calls {@link #watch} once it knows the session, and
 * the entry is made when the answer ends (or the connection closes first), from what the request did
 * ({@link AuditTarget}), its status and the machine code the failure handler answered ({@link RequestState}).
 *
 * <p><b>Never on a request's path.</b> Making an entry and handing it on is a few allocations and a non-blocking
 * {@code offer} on the event loop; one thread of its own appends entries to the {@link AuditLog}, in batches. When
 * {@link Auditing#queueCapacity()} entries are waiting (the store is slow or away), new ones are dropped and counted
 * ({@link #dropped()}, and {@code sandgate_audit_dropped_total{to="store"}}), never waited for. The webhook, when set,
 * gets each entry at once, on a queue of its own ({@link AuditWebhook}).
 */
final class AuditRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);
    private static final int BATCH = 256;
    private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(5);

    private final Optional<AuditLog> log;
    private final Optional<AuditWebhook> webhook;
    private final Clock clock;
    private final BrokerMeters meters;
    private final BlockingQueue<AuditEntry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final Thread worker;
    private volatile boolean closing;
    private volatile long lastWarning;

    AuditRecorder(Optional<AuditLog> log, int capacity, Optional<AuditWebhook> webhook, Clock clock,
                  BrokerMeters meters) {
        this.log = log;
        this.webhook = webhook;
        this.clock = clock;
        this.meters = meters;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::drain, "sandgate-audit");
        this.worker.setDaemon(true);
        if (log.isPresent()) {
            worker.start();
        }
    }

    static AuditRecorder none() {
        return new AuditRecorder(Optional.empty(), 1, Optional.empty(), Clock.systemUTC(), BrokerMeters.NONE);
    }

    boolean records() {
        return log.isPresent() || webhook.isPresent();
    }

    /**
     * The request on {@code ctx} uses {@code session} of {@code sandbox} (for {@code subject}, when it names one):
     * its entry is recorded when its answer ends.
     */
    void watch(RoutingContext ctx, SandboxName sandbox, PreviewName session, Optional<SessionSubject> subject,
               String credential) {
        if (!records()) {
            return;
        }
        Instant arrived = clock.instant();
        String client = RequestState.clientAddress(ctx);
        ctx.addEndHandler(done -> {
            try {
                AuditTarget target = AuditTarget.of(ctx);
                int status = ctx.response().getStatusCode();
                record(new AuditEntry(UUID.randomUUID().toString(), arrived, sandbox, session, subject, credential,
                        target.operation(), target.target(), status, RequestState.errorCode(ctx),
                        client.length() > 64 ? client.substring(0, 64) : client));
            } catch (RuntimeException e) {
                // an entry that cannot be made must not break the answer
                LOG.warn("an audit entry could not be made ({})", e.getClass().getSimpleName());
            }
        });
    }

    /** Hands an entry to the store's queue and the webhook's; never blocks. */
    void record(AuditEntry entry) {
        if (log.isPresent() && !queue.offer(entry)) {
            dropped.incrementAndGet();
            meters.auditDropped("store");
        }
        webhook.ifPresent(w -> w.offer(entry));
    }

    /** Entries dropped because the store's queue was full. */
    long dropped() {
        return dropped.get();
    }

    /** Entries the store refused (it failed); they are not retried. */
    long failed() {
        return failed.get();
    }

    long appended() {
        return appended.get();
    }

    /** The webhook, when one is set (for tests). */
    Optional<AuditWebhook> webhook() {
        return webhook;
    }

    private void drain() {
        List<AuditEntry> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                AuditEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                log.orElseThrow().append(batch);
                appended.addAndGet(batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed.addAndGet(batch.size());
                meters.auditDropped("store");
                long now = System.nanoTime();
                if (now - lastWarning > TimeUnit.MINUTES.toNanos(1) || lastWarning == 0) {
                    lastWarning = now;
                    LOG.warn("audit entries could not be stored: {} (more failures within a minute are not logged)",
                            e.getMessage());
                }
            } finally {
                batch.clear();
            }
        }
    }

    /** Appends what is waiting (for a few seconds at most), then stops; closes the webhook. */
    @Override
    public void close() {
        closing = true;
        if (worker.isAlive()) {
            try {
                worker.join(CLOSE_PATIENCE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker.interrupt();
        }
        webhook.ifPresent(AuditWebhook::close);
    }
}
