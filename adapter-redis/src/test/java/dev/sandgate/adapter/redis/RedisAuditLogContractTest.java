package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import dev.sandgate.ports.contract.AuditLogContract;
import dev.sandgate.ports.contract.MutableClock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis audit log keeps the behaviour every audit log must have, on a real redis-server. */
class RedisAuditLogContractTest extends AuditLogContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private String namespace;

    @Override
    protected AuditLog newLog(AuditRetention retention, MutableClock clock) {
        namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
        return RedisAuditLog.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()), namespace, retention, clock);
    }

    @Override
    protected void closeLog(AuditLog log) {
        ((RedisAuditLog) log).close();
    }

    @Test
    void each_sandbox_is_one_stream_trimmed_to_the_retention_and_expiring() {
        AuditLog log = log(new AuditRetention(Duration.ofHours(1), 3));
        for (int i = 0; i < 10; i++) {
            log.append(entry("fs.read"));
        }
        String key = namespace + ":audit:" + BOX.value();
        ((RedisAuditLog) log).withCommands(redis -> {
            assertThat(redis.xlen(key)).isEqualTo(3);
            assertThat(redis.pttl(key)).isBetween(1L, Duration.ofHours(1).toMillis());
        });
    }

    @Test
    void entries_appended_with_an_earlier_clock_still_come_after() {
        AuditLog log = log();
        AuditEntry late = entry("a");
        log.append(late);
        AuditEntry early = new AuditEntry(UUID.randomUUID().toString(), clock.instant().minusSeconds(5), BOX,
                PreviewName.of("session-1"), Optional.empty(), "token", "b", Optional.empty(), 200, Optional.empty(),
                "127.0.0.1");
        log.append(early);
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactly(late, early);
    }
}
