package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import dev.sandgate.ports.contract.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditLogTest {
    private static final SandboxName BOX = SandboxName.of("box");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    @TempDir
    Path dir;

    private AuditEntry entry(String operation) {
        return new AuditEntry(UUID.randomUUID().toString(), clock.instant(), BOX, PreviewName.of("session-1"),
                Optional.empty(), "token", operation, Optional.empty(), 200, Optional.empty(), "127.0.0.1");
    }

    @Test
    void a_torn_last_line_is_ignored_on_read_and_never_glued_to_the_next_entry() throws Exception {
        FileAuditLog log = FileAuditLog.open(dir, AuditRetention.DEFAULT, clock, false);
        AuditEntry first = entry("fs.read");
        log.append(first);
        Path file = dir.resolve("box.jsonl");
        // a crash in the middle of the next line's write
        Files.write(file, "{\"version\":1,\"seq\":2,\"id\":\"torn\",\"ti".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);

        FileAuditLog reopened = FileAuditLog.open(dir, AuditRetention.DEFAULT, clock, false);
        assertThat(reopened.query(BOX, AuditQuery.all()).entries()).containsExactly(first);
        AuditEntry next = entry("fs.write");
        reopened.append(next);

        assertThat(reopened.query(BOX, AuditQuery.all()).entries()).containsExactly(first, next);
        assertThat(Files.readAllLines(file)).hasSize(2).noneMatch(line -> line.contains("torn"));
    }

    @Test
    void the_file_stays_bounded_by_the_retention() throws Exception {
        FileAuditLog log = FileAuditLog.open(dir, new AuditRetention(Duration.ofDays(1), 100), clock, false);
        for (int i = 0; i < 1000; i++) {
            log.append(entry("fs.read"));
        }
        assertThat(Files.readAllLines(dir.resolve("box.jsonl")).size()).isBetween(100, 116);
        assertThat(log.query(BOX, AuditQuery.all().withLimit(1000)).entries()).hasSize(100);
    }

    @Test
    void expired_entries_leave_the_file_on_a_later_append() throws Exception {
        FileAuditLog log = FileAuditLog.open(dir, new AuditRetention(Duration.ofHours(1), 100), clock, false);
        for (int i = 0; i < 10; i++) {
            log.append(entry("fs.read"));
        }
        clock.advance(Duration.ofHours(2));
        log.append(entry("fs.write"));
        assertThat(Files.readAllLines(dir.resolve("box.jsonl"))).hasSize(1);
    }

    @Test
    void sequence_numbers_go_on_after_a_reopen() {
        FileAuditLog log = FileAuditLog.open(dir, AuditRetention.DEFAULT, clock, false);
        log.append(entry("a"));
        String cursor = log.query(BOX, AuditQuery.all().withLimit(1)).nextCursor().orElseThrow();
        FileAuditLog reopened = FileAuditLog.open(dir, AuditRetention.DEFAULT, clock, false);
        reopened.append(entry("b"));
        assertThat(reopened.query(BOX, AuditQuery.all().after(cursor)).entries()).extracting(AuditEntry::operation)
                .containsExactly("b");
    }
}
