package dev.sandgate.adapter.local;

import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditRetention;
import dev.sandgate.ports.contract.AuditLogContract;
import dev.sandgate.ports.contract.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file audit log keeps the behaviour every audit log must have. */
class FileAuditLogContractTest extends AuditLogContract {
    @TempDir
    Path dir;
    private int opened;

    @Override
    protected AuditLog newLog(AuditRetention retention, MutableClock clock) {
        return FileAuditLog.open(dir.resolve("audit-" + opened++), retention, clock, false);
    }
}
