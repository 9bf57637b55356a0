package dev.sandgate.ports.contract;

import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditRetention;

class InMemoryAuditLogTest extends AuditLogContract {
    @Override
    protected AuditLog newLog(AuditRetention retention, MutableClock clock) {
        return new InMemoryAuditLog(retention, clock);
    }
}
