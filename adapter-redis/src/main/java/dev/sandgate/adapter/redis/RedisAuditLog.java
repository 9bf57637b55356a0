package dev.sandgate.adapter.redis;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.audit.AuditRetention;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The audit trail in Redis, shared by every broker of a cluster: one stream per sandbox, {@code <ns>:audit:<sandbox>},
 * one stream entry per audit entry (its fields: {@code id t ss sub cr op tg st cd cl}). Appending is one script
 * ({@code audit_append.lua}): {@code XADD ... MAXLEN} keeps the newest {@link AuditRetention#maxEntries()},
 * {@code XTRIM ... MINID} drops what is older than {@link AuditRetention#maxAge()} (stream ids are the entries' own
 * times), and the stream expires when its newest entry would. Reading is {@code XRANGE} from the cursor (a stream id,
 * exclusive) or from {@code since}; reads apply the retention exactly too.
 */
public final class RedisAuditLog implements AuditLog, AutoCloseable {
    private static final Pattern CURSOR = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");
    private static final int CHUNK = 256;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final RedisKeys keys;
    private final AuditRetention retention;
    private final Clock clock;

    private RedisAuditLog(RedisClient client, StatefulRedisConnection<String, String> connection, RedisKeys keys,
                          AuditRetention retention, Clock clock) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.keys = keys;
        this.retention = retention;
        this.clock = clock;
    }

    /** The trail of the default namespace, {@code sandgate}. */
    public static RedisAuditLog open(RedisEndpoint endpoint, AuditRetention retention, Clock clock) {
        return open(endpoint, "sandgate", retention, clock);
    }

    /**
     * Connects; fails with an {@link IllegalStateException} naming the endpoint (never the password) when Redis does
     * not answer.
     */
    public static RedisAuditLog open(RedisEndpoint endpoint, String namespace, AuditRetention retention, Clock clock) {
        Objects.requireNonNull(endpoint, "endpoint must not be null");
        Objects.requireNonNull(retention, "retention must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        RedisKeys keys = new RedisKeys(namespace, endpoint.database());
        RedisClient client = LettuceClients.create(endpoint);
        try {
            StatefulRedisConnection<String, String> connection = client.connect(LettuceClients.uri(endpoint));
            connection.sync().ping();
            return new RedisAuditLog(client, connection, keys, retention, clock);
        } catch (RedisException e) {
            LettuceClients.shutdown(client);
            throw new IllegalStateException("the audit trail at " + endpoint.describe() + " cannot be reached: "
                    + LettuceClients.describe(e), e);
        }
    }

    @Override
    public AuditRetention retention() {
        return retention;
    }

    @Override
    public void append(AuditEntry entry) {
        append(List.of(Objects.requireNonNull(entry, "entry must not be null")));
    }

    @Override
    public void append(List<AuditEntry> entries) {
        Objects.requireNonNull(entries, "entries must not be null");
        // one script per sandbox, in order
        int from = 0;
        while (from < entries.size()) {
            SandboxName sandbox = entries.get(from).sandbox();
            int to = from;
            while (to < entries.size() && entries.get(to).sandbox().equals(sandbox)) {
                to++;
            }
            appendTo(sandbox, entries.subList(from, to));
            from = to;
        }
    }

    private void appendTo(SandboxName sandbox, List<AuditEntry> entries) {
        Instant now = clock.instant();
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(retention.maxEntries()));
        args.add(Long.toString(Math.max(0, now.minus(retention.maxAge()).toEpochMilli())));
        long newest = entries.stream().mapToLong(e -> e.time().toEpochMilli()).max().orElse(now.toEpochMilli());
        args.add(Long.toString(Math.max(1, newest + retention.maxAge().toMillis() - now.toEpochMilli())));
        for (AuditEntry e : entries) {
            args.add(Long.toString(Math.max(0, e.time().toEpochMilli())));
            args.add(e.id());
            args.add(e.time().toString());
            args.add(e.session().value());
            args.add(e.subject().map(SessionSubject::value).orElse(""));
            args.add(e.credential());
            args.add(e.operation());
            args.add(e.target().orElse(""));
            args.add(Integer.toString(e.status()));
            args.add(e.code().orElse(""));
            args.add(e.client());
        }
        call(() -> Lua.run(redis, Scripts.AUDIT_APPEND, new String[]{keys.audit(sandbox)},
                args.toArray(String[]::new)));
    }

    @Override
    public AuditPage query(SandboxName sandbox, AuditQuery query) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(query, "query must not be null");
        query.cursor().ifPresent(c -> {
            if (!CURSOR.matcher(c).matches()) {
                throw new SandgateException.InvalidRequest("cursor is not one this audit trail returned");
            }
        });
        Instant oldest = clock.instant().minus(retention.maxAge());
        Range.Boundary<String> start = query.cursor().map(Range.Boundary::excluding)
                .orElseGet(() -> Range.Boundary.including(query.since()
                        .map(t -> Math.max(0, t.toEpochMilli()) + "-0").orElse("-")));
        List<AuditEntry> out = new ArrayList<>();
        while (true) {
            Range<String> range = Range.from(start, Range.Boundary.including("+"));
            List<StreamMessage<String, String>> chunk = call(() -> redis.xrange(keys.audit(sandbox), range,
                    Limit.from(CHUNK)));
            for (StreamMessage<String, String> message : chunk) {
                Optional<AuditEntry> entry = decode(sandbox, message.getBody());
                if (entry.isEmpty() || !entry.get().time().isAfter(oldest) || !query.matches(entry.get())) {
                    continue;
                }
                out.add(entry.get());
                if (out.size() == query.limit()) {
                    return new AuditPage(out, Optional.of(message.getId()));
                }
            }
            if (chunk.size() < CHUNK) {
                return new AuditPage(out, Optional.empty());
            }
            start = Range.Boundary.excluding(chunk.get(chunk.size() - 1).getId());
        }
    }

    /** An entry read back, validated again; one no broker of this version wrote is skipped. */
    private static Optional<AuditEntry> decode(SandboxName sandbox, Map<String, String> f) {
        try {
            return Optional.of(new AuditEntry(f.get("id"), Instant.parse(f.get("t")), sandbox,
                    PreviewName.of(f.get("ss")), present(f.get("sub")).map(SessionSubject::of), f.get("cr"),
                    f.get("op"), present(f.get("tg")), Integer.parseInt(f.get("st")), present(f.get("cd")),
                    f.get("cl")));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static Optional<String> present(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            throw SandgateException.Unavailable.store("the audit trail (Redis) is unavailable: "
                    + LettuceClients.describe(e), e);
        }
    }

    /** Runs {@code action} with the raw commands (for tests). */
    void withCommands(java.util.function.Consumer<RedisCommands<String, String>> action) {
        action.accept(redis);
    }

    @Override
    public void close() {
        connection.close();
        LettuceClients.shutdown(client);
    }
}
