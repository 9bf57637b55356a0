package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.audit.AuditLog;
import java.util.Objects;
import java.util.Optional;

/**
 * What the broker does with the audit trail of session use: the {@link AuditLog} it appends to (and the control
 * plane's {@code GET /v0/sandboxes/{name}/audit} reads), the most entries waiting to be appended (beyond it they are
 * dropped and counted, never waited for), and the webhook they are pushed to, if any. {@link #none()} records
 * nothing.
 */
public record Auditing(Optional<AuditLog> log, int queueCapacity, Optional<AuditWebhookSettings> webhook) {
    public static final int DEFAULT_QUEUE = 10_000;
    public static final int MAX_QUEUE = 1_000_000;

    public Auditing {
        Objects.requireNonNull(log, "log must not be null");
        Objects.requireNonNull(webhook, "webhook must not be null");
        if (queueCapacity < 1 || queueCapacity > MAX_QUEUE) {
            throw new IllegalArgumentException("queueCapacity " + queueCapacity + " is out of range 1-" + MAX_QUEUE);
        }
    }

    /** No audit trail: nothing recorded, and the query route answers 404. */
    public static Auditing none() {
        return new Auditing(Optional.empty(), DEFAULT_QUEUE, Optional.empty());
    }

    /** Every use of a session appended to {@code log}. */
    public static Auditing to(AuditLog log) {
        return new Auditing(Optional.of(log), DEFAULT_QUEUE, Optional.empty());
    }

    public Auditing withQueueCapacity(int entries) {
        return new Auditing(log, entries, webhook);
    }

    public Auditing withWebhook(AuditWebhookSettings settings) {
        return new Auditing(log, queueCapacity, Optional.of(settings));
    }

    /** Whether anything is recorded. */
    boolean records() {
        return log.isPresent() || webhook.isPresent();
    }
}
