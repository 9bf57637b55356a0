package dev.sandgate.app;

import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.adapter.vertx.AuditWebhookSettings;
import dev.sandgate.adapter.vertx.Auditing;
import dev.sandgate.adapter.vertx.BrokerSettings;
import dev.sandgate.adapter.vertx.PreviewPorts;
import dev.sandgate.adapter.vertx.SessionQuotaDefaults;
import dev.sandgate.adapter.vertx.StreamSettings;
import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.ports.audit.AuditRetention;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Every setting the program reads, each declared once, here: its key, its default, its {@link Parser} (which holds its
 * range) and the line that documents it. Each one has a flag ({@code --port=8080}), an environment variable
 * ({@code SANDGATE_PORT}) and a key in the optional properties file ({@code port=8080}); the first source that gives a
 * value wins, in that order, then the default. {@link SettingsLoader} reads them by these constants, {@code --help}
 * prints {@link #values()}, and docs/configuration.md's table is {@link #referenceTable()} (a test checks it).
 *
 * @param <T> the value the setting gives once parsed
 */
public final class Setting<T> {
    private static final List<Setting<?>> ALL = new ArrayList<>();

    public static final Setting<Optional<Path>> CONFIG = declare("config", "", Parser.path().optional(),
            "a properties file with more settings (keys as the flags, without '--')");
    public static final Setting<GatewayKind> GATEWAY = declare("gateway", "local",
            Parser.of("local, remote, cluster", GatewayKind::parse),
            "where sandboxes run: 'local' (this machine; with store=redis a node of a cluster), 'remote' (see "
                    + "upstream-url) or 'cluster' (a front: on the cluster's nodes; needs store=redis)");
    public static final Setting<Optional<URI>> UPSTREAM_URL = declare("upstream-url", "", Parser.httpUrl().optional(),
            "remote gateway: the upstream control plane, e.g. http://127.0.0.1:9090/v0");
    public static final Setting<Optional<String>> UPSTREAM_API_KEY = secret("upstream-api-key",
            Parser.text("1-4096 printable ASCII characters").optional(), "remote gateway: the upstream's API key (never logged; flags show in ps)");
    public static final Setting<Optional<Path>> UPSTREAM_API_KEY_FILE = declare("upstream-api-key-file", "",
            Parser.path().optional(), "remote gateway: a file (mode 0600) holding the upstream's key");
    public static final Setting<String> UPSTREAM_WORKSPACE = declare("upstream-workspace", "default",
            Parser.workspace(false), "remote gateway: the workspace at the upstream");
    public static final Setting<StoreSettings.Kind> STORE = declare("store", "file",
            Parser.of("file, redis", StoreSettings.Kind::parse),
            "where previews, tokens and sessions live: 'file' (the data directory) or 'redis' (shared by brokers)");
    public static final Setting<FileAccessStore.Sync> FILE_STORE_SYNC = declare("file-store-sync", "revocations",
            Parser.of("revocations, always", StoreSettings::parseSync),
            "file store: which changes are on the disk before they are answered: 'revocations' (what takes access "
                    + "away; grants within 200 ms) or 'always'");
    public static final Setting<Optional<String>> REDIS_URL = declare("redis-url", "",
            Parser.text("a redis:// or rediss:// URL").optional(),
            "redis store: redis://host:port[/db], or rediss://... for TLS (no password here)");
    public static final Setting<Optional<Path>> REDIS_PASSWORD_FILE = declare("redis-password-file", "",
            Parser.path().optional(), "redis store: a file (mode 0600) holding Redis's password");
    public static final Setting<Optional<Path>> TOKEN_KEY_FILE = declare("token-key-file", "",
            Parser.path().optional(),
            "the key token values are derived from (created 0600 if missing); empty: <data-dir>/secret.key");
    public static final Setting<Optional<NodeId>> NODE_ID = declare("node-id", "",
            Parser.of("1-128 of letters, digits, '.', '_', ':', '-'", NodeId::of).optional(),
            "a node's name in its cluster (local gateway, redis store); empty: the one kept in "
                    + "<data-dir>/node-id, else <host name>:<port>");
    public static final Setting<Optional<URI>> NODE_URL = declare("node-url", "", Parser.httpUrl().optional(),
            "where the other brokers of the cluster reach this node; empty: its own listening address");
    public static final Setting<Duration> NODE_HEARTBEAT = declare("node-heartbeat", "5s",
            Parser.durationIn(NodeSettings.MIN_HEARTBEAT, NodeSettings.MAX_HEARTBEAT),
            "how often a node says it is alive; it counts as dead three periods after its last heartbeat");
    public static final Setting<String> HOST = declare("host", "127.0.0.1", Parser.host(),
            "interface the broker listens on");
    public static final Setting<Integer> PORT = declare("port", "8080", Parser.intIn(0, 65535),
            "TCP port the broker listens on; 0 picks a free port");
    public static final Setting<Optional<URI>> PUBLIC_URL = declare("public-url", "", Parser.httpUrl().optional(),
            "URL clients reach the broker at, when not http://host:port (behind a proxy)");
    public static final Setting<Optional<AdminListen>> ADMIN_LISTEN = declare("admin-listen", "",
            Parser.of("host:port, or a port (on 127.0.0.1)", AdminListen::parse).optional(),
            "where operators reach /metrics, /healthz and /readyz; empty: off");
    public static final Setting<Path> DATA_DIR = declare("data-dir", "~/.sandgate", Parser.path(),
            "sandboxes, the broker's state and the generated API key");
    public static final Setting<Optional<String>> API_KEY = secret("api-key", Parser.apiKey().optional(),
            "the master key; empty: generated once into <data-dir>/api-key (flags show in ps)");
    public static final Setting<String> WORKSPACE = declare("workspace", "default", Parser.workspace(true),
            "the workspace this broker serves (x-blaxel-workspace)");
    public static final Setting<IsolationMode> ISOLATION = declare("isolation", "auto",
            Parser.of("auto, bwrap, none", IsolationMode::parse),
            "process isolation: auto (bubblewrap when present), bwrap, none");
    public static final Setting<Boolean> ALLOW_UNISOLATED_SESSIONS = declare("allow-unisolated-sessions", "false",
            Parser.switchValue(),
            "serve session tokens even when processes run without isolation (a session then holds the host)");
    public static final Setting<NetworkMode> SANDBOX_NETWORK = declare("sandbox-network", "isolated",
            Parser.of("isolated, egress", NetworkMode::parse),
            "network of an isolated sandbox: isolated (own loopback only) or egress (also a route out, via pasta)");
    public static final Setting<Duration> IDLE_TIMEOUT = declare("idle-timeout", "60s",
            Parser.durationIn(BrokerSettings.MIN_IDLE_TIMEOUT, BrokerSettings.MAX_IDLE_TIMEOUT),
            "close a connection idle for this long");
    public static final Setting<Long> BODY_LIMIT = declare("body-limit", "1MiB",
            Parser.sizeIn(BrokerSettings.MIN_BODY_LIMIT_BYTES, BrokerSettings.MAX_BODY_LIMIT_BYTES), "largest API request body");
    public static final Setting<Integer> MAX_HEADER_SIZE = declare("max-header-size", "8KiB",
            Parser.intSizeIn(BrokerSettings.MIN_HEADER_BYTES, BrokerSettings.MAX_HEADER_BYTES),
            "largest total request header size");
    public static final Setting<Integer> MAX_INITIAL_LINE = declare("max-initial-line", "4KiB",
            Parser.intSizeIn(BrokerSettings.MIN_INITIAL_LINE_BYTES, BrokerSettings.MAX_INITIAL_LINE_BYTES),
            "longest request line");
    public static final Setting<Duration> KEEPALIVE_INTERVAL = declare("keepalive-interval", "30s",
            Parser.durationIn(BrokerSettings.MIN_KEEPALIVE_INTERVAL, BrokerSettings.MAX_KEEPALIVE_INTERVAL),
            "keepalive line interval on streamed answers");
    public static final Setting<Long> STREAM_BUFFER = declare("stream-buffer", "1MiB",
            Parser.sizeIn(StreamSettings.MIN_BUFFERED_BYTES, StreamSettings.MAX_BUFFERED_BYTES),
            "most a streamed answer (logs, watch, streamed exec) holds for a client that does not read; lines beyond "
                    + "are dropped and the client gets a line saying how many");
    public static final Setting<Duration> TUNNEL_IDLE_TIMEOUT = declare("tunnel-idle-timeout", "1h",
            Parser.durationIn(StreamSettings.MIN_TUNNEL_IDLE_TIMEOUT, StreamSettings.MAX_TUNNEL_IDLE_TIMEOUT),
            "a preview WebSocket tunnel quiet both ways this long is closed with code 1001");
    public static final Setting<Boolean> ACCESS_LOG = declare("access-log", "true", Parser.switchValue(),
            "one JSON line per request (face, path without query, sandbox, status, duration) on logger sandgate.access");
    public static final Setting<Integer> WORKER_POOL_SIZE = declare("worker-pool-size", "32",
            Parser.intIn(1, BrokerSettings.MAX_WORKER_POOL_SIZE), "threads for gateway calls that may block");
    public static final Setting<String> UPSTREAM_HOST = declare("upstream-host", "127.0.0.1", Parser.host(),
            "where preview ports are reached (remote: the provider's host)");
    public static final Setting<PreviewPorts> PREVIEW_PORTS = declare("preview-ports", "auto",
            Parser.of("auto, path, or a range first-last", PreviewPorts::parse),
            "app previews on ports of their own: auto (any free port), a range like 20000-20999, or path (/p/...)");
    public static final Setting<Optional<String>> PREVIEW_DOMAIN = declare("preview-domain", "",
            Parser.previewDomain().optional(),
            "serve app previews as <preview>-<sandbox>.<domain> on the broker's port, e.g. localhost; empty: off");
    public static final Setting<Integer> AUTH_FAILURES_PER_MINUTE = declare("auth-failures-per-minute", "100",
            Parser.intIn(0, BrokerSettings.MAX_CLIENT_LIMIT),
            "401s one client address may cause per minute before it gets 429 for the rest of it; 0: no limit");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = declare("max-connections-per-ip", "256",
            Parser.intIn(0, BrokerSettings.MAX_CLIENT_LIMIT), "connections one client address may hold open; 0: no limit");
    public static final Setting<Integer> TOKEN_MINTS_PER_MINUTE = declare("token-mints-per-minute", "60",
            Parser.intIn(0, BrokerSettings.MAX_CLIENT_LIMIT),
            "tokens (and so sessions) one sandbox may have minted per minute before 429; 0: no limit");
    public static final Setting<Integer> SESSION_REQUESTS_PER_SECOND = declare("session-requests-per-second",
            String.valueOf(SessionQuotaDefaults.DEFAULTS.requestsPerSecond()), Parser.intIn(0, SessionQuotas.MAX),
            "requests one session may make per second (burst: one second's worth), unless minted with its own; "
                    + "0: no limit");
    public static final Setting<Integer> SESSION_CONCURRENT_EXECS = declare("session-concurrent-execs",
            String.valueOf(SessionQuotaDefaults.DEFAULTS.concurrentExecs()), Parser.intIn(0, SessionQuotas.MAX),
            "processes one session may have running at once, unless minted with its own; 0: no limit");
    public static final Setting<Integer> SESSION_CONCURRENT_STREAMS = declare("session-concurrent-streams",
            String.valueOf(SessionQuotaDefaults.DEFAULTS.concurrentStreams()), Parser.intIn(0, SessionQuotas.MAX),
            "log streams, watches and streamed execs one session may hold open at once, unless minted with its "
                    + "own; 0: no limit");
    public static final Setting<Long> MAX_FILE_SIZE = declare("max-file-size", "5MiB",
            Parser.sizeIn(1, LocalSettings.MAX_FILE_BYTES_LIMIT), "largest file read or written in one piece");
    public static final Setting<Duration> STOP_GRACE_PERIOD = declare("stop-grace-period", "5s",
            Parser.durationIn(Duration.ZERO, Duration.ofMinutes(10)),
            "how long a stopped process has after SIGTERM before SIGKILL");
    public static final Setting<Integer> OUTPUT_BUFFER = declare("output-buffer", "1MiB",
            Parser.intSizeIn(ProcessSettings.MIN_OUTPUT_BUFFER_BYTES, 256 * 1024 * 1024), "output kept per process");
    public static final Setting<Integer> RETAINED_PROCESSES = declare("retained-processes", "100",
            Parser.intIn(0, 100_000), "finished processes a sandbox remembers");
    public static final Setting<Duration> WAIT_TIMEOUT = declare("wait-timeout", "60s",
            Parser.durationIn(Duration.ofSeconds(1), Duration.ofHours(24)),
            "bound on waitForPorts and waitForCompletion when a request names none");
    public static final Setting<Duration> WARM_SHELL_IDLE = declare("warm-shell-idle", "60s",
            Parser.durationIn(Duration.ZERO, Duration.ofHours(24)),
            "how long a shell started ahead of a sandbox's next exec waits for it; 0s starts none");
    public static final Setting<Integer> SANDBOX_MAX_PROCESSES = declare("sandbox-max-processes", "512",
            Parser.intIn(1, SandboxLimits.MAX_PROCESSES_LIMIT),
            "processes (threads included) one sandbox may hold at once, through its control group");
    public static final Setting<OptionalDouble> SANDBOX_CPUS = declare("sandbox-cpus", "0", Parser.cpus(),
            "CPU cores' worth of time one sandbox may use, e.g. 0.5 or 2; 0: no quota, an equal share");
    public static final Setting<Long> SANDBOX_DISK_QUOTA = declare("sandbox-disk-quota", "10GiB", Parser.diskQuota(),
            "size of each new sandbox's own file system (a loop-mounted image; needs root); 0: none");
    public static final Setting<Duration> AUDIT_MAX_AGE = declare("audit-max-age", "30d",
            Parser.durationIn(Duration.ofSeconds(1), Duration.ofDays(3650)),
            "audit trail: how long an entry of a sandbox's session use is kept");
    public static final Setting<Integer> AUDIT_MAX_ENTRIES = declare("audit-max-entries", "10000",
            Parser.intIn(1, AuditRetention.MAX_ENTRIES_LIMIT),
            "audit trail: the most entries kept per sandbox (the newest)");
    public static final Setting<Integer> AUDIT_QUEUE = declare("audit-queue", "10000",
            Parser.intIn(1, Auditing.MAX_QUEUE),
            "audit trail: entries that may wait for the store; beyond, new ones are dropped and counted, never waited for");
    public static final Setting<Optional<URI>> AUDIT_WEBHOOK_URL = declare("audit-webhook-url", "",
            Parser.httpUrl().optional(),
            "audit trail: a URL each entry is also POSTed to, signed (see docs/audit.md); empty: none");
    public static final Setting<Optional<Path>> AUDIT_WEBHOOK_SECRET_FILE = declare("audit-webhook-secret-file", "",
            Parser.path().optional(),
            "audit webhook: a file (mode 0600) holding the HMAC secret, at least 16 bytes; needed with the URL");
    public static final Setting<Integer> AUDIT_WEBHOOK_QUEUE = declare("audit-webhook-queue", "10000",
            Parser.intIn(1, AuditWebhookSettings.MAX_QUEUE),
            "audit webhook: entries kept while the receiver is away; beyond, the oldest are dropped and counted");

    private final String key;
    private final String defaultValue;
    private final Parser<T> parser;
    private final String description;
    private final boolean secret;

    private Setting(String key, String defaultValue, Parser<T> parser, String description, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.description = description;
        this.secret = secret;
    }

    private static <T> Setting<T> declare(String key, String defaultValue, Parser<T> parser, String description) {
        Setting<T> setting = new Setting<>(key, defaultValue, parser, description, false);
        ALL.add(setting);
        return setting;
    }

    private static <T> Setting<T> secret(String key, Parser<T> parser, String description) {
        Setting<T> setting = new Setting<>(key, "", parser, description, true);
        ALL.add(setting);
        return setting;
    }

    /** Every setting, in the order of {@code --help} and the reference. */
    public static List<Setting<?>> values() {
        return Collections.unmodifiableList(ALL);
    }

    /** The key in a properties file, and the flag without its dashes. */
    public String key() {
        return key;
    }

    public String flag() {
        return "--" + key;
    }

    public String env() {
        return "SANDGATE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** What the value may be, in words (a range, the choices); empty when the description says it. */
    public String accepts() {
        return parser.accepts();
    }

    Parser<T> parser() {
        return parser;
    }

    /** Whether the setting is a switch ({@code true} or {@code false}): its flag alone means {@code true}. */
    public boolean isSwitch() {
        return defaultValue.equals("false");
    }

    /** Whether the value must never be printed. */
    public boolean secret() {
        return secret;
    }

    public static Optional<Setting<?>> byKey(String key) {
        return ALL.stream().filter(s -> s.key.equals(key)).findFirst();
    }

    public static Optional<Setting<?>> byEnv(String env) {
        return ALL.stream().filter(s -> s.env().equals(env)).findFirst();
    }

    /** The table of docs/configuration.md: one row per setting, generated from these declarations. */
    public static String referenceTable() {
        StringBuilder out = new StringBuilder("| flag | environment | default | values | meaning |\n|---|---|---|---|---|\n");
        for (Setting<?> s : ALL) {
            out.append("| `").append(s.flag()).append("` | `").append(s.env()).append("` | ")
                    .append(s.defaultValue.isEmpty() ? "—" : "`" + s.defaultValue + "`").append(" | ")
                    .append(s.accepts().isEmpty() ? "—" : s.accepts()).append(" | ")
                    .append(s.description.replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return key;
    }
}
