package dev.sandgate.ports.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditLog} does: entries come back whole and in order, filtered, paged by a cursor without loss or
 * repetition, one sandbox's apart from another's, and never beyond the retention. The clock starts near the wall
 * clock (a store may also expire records by real time) and is moved by the test.
 */
public abstract class AuditLogContract {
    protected static final SandboxName BOX = SandboxName.of("box");
    protected static final SandboxName OTHER = SandboxName.of("other-box");
    protected final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final List<AuditLog> opened = new ArrayList<>();

    /** A fresh, empty log keeping {@code retention}, reading the time from {@code clock}. */
    protected abstract AuditLog newLog(AuditRetention retention, MutableClock clock);

    protected void closeLog(AuditLog log) {
    }

    @AfterEach
    void closeAll() {
        opened.forEach(this::closeLog);
    }

    protected AuditLog log(AuditRetention retention) {
        AuditLog log = newLog(retention, clock);
        opened.add(log);
        return log;
    }

    protected AuditLog log() {
        return log(new AuditRetention(Duration.ofDays(1), 1000));
    }

    protected AuditEntry entry(SandboxName sandbox, String session, Optional<String> subject, String operation) {
        return new AuditEntry(UUID.randomUUID().toString(), clock.instant(), sandbox, PreviewName.of(session),
                subject.map(SessionSubject::of),
                "token", operation, Optional.of("/app/a.txt"), 200, Optional.empty(), "127.0.0.1");
    }

    protected AuditEntry entry(String operation) {
        return entry(BOX, "session-1", Optional.empty(), operation);
    }

    @Test
    void an_entry_comes_back_whole() {
        AuditLog log = log();
        AuditEntry refused = new AuditEntry("e-1", clock.instant(), BOX, PreviewName.of("session-7"),
                Optional.of(SessionSubject.of("user-42")), "token", "fs.write", Optional.of("/etc/passwd"), 403,
                Optional.of("SCOPE_MISSING"), "::1");
        AuditEntry plain = new AuditEntry("e-2", clock.instant(), BOX, PreviewName.of("session-7"), Optional.empty(),
                "api-key", "process.list", Optional.empty(), 200, Optional.empty(), "127.0.0.1");
        log.append(refused);
        log.append(plain);

        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactly(refused, plain);
    }

    @Test
    void an_unknown_sandbox_has_an_empty_trail() {
        AuditPage page = log().query(SandboxName.of("nobody"), AuditQuery.all());
        assertThat(page.entries()).isEmpty();
        assertThat(page.nextCursor()).isEmpty();
    }

    @Test
    void entries_come_back_in_the_order_they_were_appended() {
        AuditLog log = log();
        List<AuditEntry> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            AuditEntry e = entry("op-" + (char) ('a' + i));
            appended.add(e);
            log.append(e);
        }
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactlyElementsOf(appended);
    }

    @Test
    void a_batch_is_appended_in_order() {
        AuditLog log = log();
        List<AuditEntry> batch = List.of(entry("a"), entry("b"), entry("c"));
        log.append(batch);
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactlyElementsOf(batch);
    }

    @Test
    void sandboxes_have_trails_of_their_own() {
        AuditLog log = log();
        AuditEntry mine = entry("fs.read");
        AuditEntry theirs = entry(OTHER, "session-2", Optional.empty(), "fs.read");
        log.append(mine);
        log.append(theirs);
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactly(mine);
        assertThat(log.query(OTHER, AuditQuery.all()).entries()).containsExactly(theirs);
    }

    @Test
    void filters_select_by_session_subject_operation_and_time() {
        AuditLog log = log();
        AuditEntry a = entry(BOX, "session-1", Optional.of("alice"), "fs.read");
        AuditEntry b = entry(BOX, "session-2", Optional.of("bob"), "process.exec");
        log.append(a);
        log.append(b);
        clock.advance(Duration.ofMinutes(1));
        Instant later = clock.instant();
        AuditEntry c = entry(BOX, "session-1", Optional.of("alice"), "process.exec");
        log.append(c);

        assertThat(log.query(BOX, AuditQuery.all().withSession(PreviewName.of("session-1"))).entries())
                .containsExactly(a, c);
        assertThat(log.query(BOX, AuditQuery.all().withSubject("bob")).entries()).containsExactly(b);
        assertThat(log.query(BOX, AuditQuery.all().withOperation("process.exec")).entries()).containsExactly(b, c);
        assertThat(log.query(BOX, AuditQuery.all().withSince(later)).entries()).containsExactly(c);
        assertThat(log.query(BOX, AuditQuery.all().withSubject("alice").withOperation("fs.read")).entries())
                .containsExactly(a);
    }

    @Test
    void a_cursor_pages_through_every_entry_once() {
        AuditLog log = log();
        List<AuditEntry> appended = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            AuditEntry e = entry("fs.read");
            appended.add(e);
            log.append(e);
        }
        List<AuditEntry> read = new ArrayList<>();
        AuditQuery query = AuditQuery.all().withLimit(3);
        AuditPage page = log.query(BOX, query);
        int pages = 1;
        read.addAll(page.entries());
        while (page.nextCursor().isPresent()) {
            page = log.query(BOX, query.after(page.nextCursor().get()));
            read.addAll(page.entries());
            pages++;
        }
        assertThat(read).containsExactlyElementsOf(appended);
        assertThat(pages).isBetween(3, 4);
    }

    @Test
    void a_cursor_with_filters_skips_what_does_not_match() {
        AuditLog log = log();
        List<AuditEntry> reads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AuditEntry e = entry(i % 2 == 0 ? "fs.read" : "fs.write");
            log.append(e);
            if (i % 2 == 0) {
                reads.add(e);
            }
        }
        AuditQuery query = AuditQuery.all().withOperation("fs.read").withLimit(2);
        AuditPage first = log.query(BOX, query);
        assertThat(first.entries()).containsExactlyElementsOf(reads.subList(0, 2));
        AuditPage second = log.query(BOX, query.after(first.nextCursor().orElseThrow()));
        assertThat(second.entries()).containsExactly(reads.get(2));
    }

    @Test
    void a_cursor_sees_entries_appended_after_it_was_given() {
        AuditLog log = log();
        log.append(entry("a"));
        log.append(entry("b"));
        AuditPage page = log.query(BOX, AuditQuery.all().withLimit(2));
        AuditEntry later = entry("c");
        log.append(later);
        assertThat(log.query(BOX, AuditQuery.all().withLimit(2).after(page.nextCursor().orElseThrow())).entries())
                .containsExactly(later);
    }

    @Test
    void only_the_newest_max_entries_are_kept() {
        AuditLog log = log(new AuditRetention(Duration.ofDays(1), 5));
        List<AuditEntry> appended = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            AuditEntry e = entry("fs.read");
            appended.add(e);
            log.append(e);
        }
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactlyElementsOf(appended.subList(7, 12));
    }

    @Test
    void entries_older_than_the_max_age_are_gone() {
        AuditLog log = log(new AuditRetention(Duration.ofHours(1), 1000));
        AuditEntry old = entry("fs.read");
        log.append(old);
        clock.advance(Duration.ofMinutes(40));
        AuditEntry recent = entry("fs.write");
        log.append(recent);
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactly(old, recent);
        clock.advance(Duration.ofMinutes(30));
        assertThat(log.query(BOX, AuditQuery.all()).entries()).containsExactly(recent);
        log.append(entry("fs.find"));
        assertThat(log.query(BOX, AuditQuery.all()).entries()).extracting(AuditEntry::operation)
                .containsExactly("fs.write", "fs.find");
    }

    @Test
    void a_cursor_before_what_retention_removed_goes_on_from_the_oldest_kept() {
        AuditLog log = log(new AuditRetention(Duration.ofDays(1), 3));
        log.append(entry("a"));
        log.append(entry("b"));
        String cursor = log.query(BOX, AuditQuery.all().withLimit(1)).nextCursor().orElseThrow();
        for (String op : List.of("c", "d", "e", "f")) {
            log.append(entry(op));
        }
        assertThat(log.query(BOX, AuditQuery.all().after(cursor)).entries()).extracting(AuditEntry::operation)
                .containsExactly("d", "e", "f");
    }

    @Test
    void a_cursor_it_did_not_give_is_an_invalid_request() {
        AuditLog log = log();
        log.append(entry("a"));
        assertThatThrownBy(() -> log.query(BOX, AuditQuery.all().after("not a cursor")))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void the_retention_is_the_one_it_was_given() {
        AuditRetention retention = new AuditRetention(Duration.ofHours(2), 77);
        assertThat(log(retention).retention()).isEqualTo(retention);
    }
}
