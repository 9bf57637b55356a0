package dev.sandgate.ports.contract;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@link AuditLog} in memory, for tests of what records into one; cursors are sequence numbers. */
public final class InMemoryAuditLog implements AuditLog {
    private record Stored(long seq, AuditEntry entry) {
    }

    private final AuditRetention retention;
    private final Clock clock;
    private final Map<SandboxName, Deque<Stored>> trails = new HashMap<>();
    private long seq;

    public InMemoryAuditLog(AuditRetention retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    public InMemoryAuditLog() {
        this(AuditRetention.DEFAULT, Clock.systemUTC());
    }

    @Override
    public synchronized void append(AuditEntry entry) {
        Deque<Stored> trail = trails.computeIfAbsent(entry.sandbox(), s -> new ArrayDeque<>());
        trail.addLast(new Stored(++seq, entry));
        while (trail.size() > retention.maxEntries()) {
            trail.removeFirst();
        }
    }

    @Override
    public synchronized AuditPage query(SandboxName sandbox, AuditQuery query) {
        long after = query.cursor().map(InMemoryAuditLog::parse).orElse(0L);
        Instant oldest = clock.instant().minus(retention.maxAge());
        List<AuditEntry> out = new ArrayList<>();
        long last = after;
        for (Stored s : trails.getOrDefault(sandbox, new ArrayDeque<>())) {
            if (s.seq() <= after || !s.entry().time().isAfter(oldest) || !query.matches(s.entry())) {
                continue;
            }
            out.add(s.entry());
            last = s.seq();
            if (out.size() == query.limit()) {
                return new AuditPage(out, Optional.of(Long.toString(last)));
            }
        }
        return new AuditPage(out, Optional.empty());
    }

    /** Every entry kept, of every sandbox, in append order. */
    public synchronized List<AuditEntry> all() {
        return trails.values().stream().flatMap(Deque::stream).sorted(java.util.Comparator.comparingLong(Stored::seq))
                .map(Stored::entry).toList();
    }

    private static long parse(String cursor) {
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw new SandgateException.InvalidRequest("cursor is not one this audit trail returned");
        }
    }

    @Override
    public AuditRetention retention() {
        return retention;
    }
}
