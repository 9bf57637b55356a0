package dev.sandgate.app;

import dev.sandgate.adapter.vertx.AuditWebhookSettings;
import dev.sandgate.adapter.vertx.Auditing;
import dev.sandgate.ports.audit.AuditRetention;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit trail of session use: how much of each sandbox's is kept ({@link Setting#AUDIT_MAX_AGE},
 * {@link Setting#AUDIT_MAX_ENTRIES}), how many entries may wait for the store ({@link Setting#AUDIT_QUEUE}), and the
 * webhook it is pushed to ({@link Setting#AUDIT_WEBHOOK_URL}, signed with the secret of
 * {@link Setting#AUDIT_WEBHOOK_SECRET_FILE}). The secret never appears in {@link #toString()}.
 */
public record AuditSettings(AuditRetention retention, int queueCapacity, Optional<AuditWebhookSettings> webhook) {
    public AuditSettings {
        Objects.requireNonNull(retention, "retention must not be null");
        Objects.requireNonNull(webhook, "webhook must not be null");
        if (queueCapacity < 1 || queueCapacity > Auditing.MAX_QUEUE) {
            throw new IllegalArgumentException("queueCapacity " + queueCapacity + " is out of range 1-"
                    + Auditing.MAX_QUEUE);
        }
    }

    /** 30 days, 10 000 entries per sandbox, 10 000 waiting, no webhook. */
    public static AuditSettings defaults() {
        return new AuditSettings(AuditRetention.DEFAULT, Auditing.DEFAULT_QUEUE, Optional.empty());
    }
}
