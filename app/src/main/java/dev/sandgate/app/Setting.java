package dev.sandgate.app;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every setting the program reads. Each one has a flag ({@code --port=8080}), an environment variable
 * ({@code SANDGATE_PORT}) and a key in the optional properties file ({@code port=8080}); the first source that
 * gives a value wins, in that order, then the default.
 */
public enum Setting {
    CONFIG("config", "", "a properties file with more settings (keys as the flags, without '--')"),
    GATEWAY("gateway", "local", "where sandboxes run: 'local' (this machine) or 'remote' (see upstream-url)"),
    UPSTREAM_URL("upstream-url", "", "remote gateway: the upstream control plane, e.g. http://127.0.0.1:9090/v0"),
    UPSTREAM_API_KEY("upstream-api-key", "", "remote gateway: the upstream's API key (never logged; flags show in ps)"),
    UPSTREAM_API_KEY_FILE("upstream-api-key-file", "", "remote gateway: a file (mode 0600) holding the upstream's key"),
    UPSTREAM_WORKSPACE("upstream-workspace", "default", "remote gateway: the workspace at the upstream"),
    STORE("store", "file",
            "where previews, tokens and sessions live: 'file' (the data directory) or 'redis' (shared by brokers)"),
    REDIS_URL("redis-url", "", "redis store: redis://host:port[/db], or rediss://... for TLS (no password here)"),
    REDIS_PASSWORD_FILE("redis-password-file", "", "redis store: a file (mode 0600) holding Redis's password"),
    TOKEN_KEY_FILE("token-key-file", "",
            "the key token values are derived from (created 0600 if missing); empty: <data-dir>/secret.key"),
    HOST("host", "127.0.0.1", "interface the broker listens on"),
    PORT("port", "8080", "TCP port the broker listens on; 0 picks a free port"),
    PUBLIC_URL("public-url", "", "URL clients reach the broker at, when not http://host:port (behind a proxy)"),
    DATA_DIR("data-dir", "~/.sandgate", "sandboxes, the broker's state and the generated API key"),
    API_KEY("api-key", "", "the master key; empty: generated once into <data-dir>/api-key (flags show in ps)"),
    WORKSPACE("workspace", "default", "the workspace this broker serves (x-blaxel-workspace)"),
    ISOLATION("isolation", "auto", "process isolation: auto (bubblewrap when present), bwrap, none"),
    ALLOW_UNISOLATED_SESSIONS("allow-unisolated-sessions", "false",
            "serve session tokens even when processes run without isolation (a session then holds the host)"),
    SANDBOX_NETWORK("sandbox-network", "isolated",
            "network of an isolated sandbox: isolated (own loopback only) or egress (also a route out, via pasta)"),
    IDLE_TIMEOUT("idle-timeout", "60s", "close a connection idle for this long (1s - 1h)"),
    BODY_LIMIT("body-limit", "1MiB", "largest API request body (1KiB - 1GiB)"),
    MAX_HEADER_SIZE("max-header-size", "8KiB", "largest total request header size"),
    MAX_INITIAL_LINE("max-initial-line", "4KiB", "longest request line"),
    KEEPALIVE_INTERVAL("keepalive-interval", "30s", "keepalive line interval on streamed answers"),
    STREAM_BUFFER("stream-buffer", "1MiB",
            "most a streamed answer holds for a client that does not read; lines beyond are dropped and counted"),
    TUNNEL_IDLE_TIMEOUT("tunnel-idle-timeout", "1h", "close a preview WebSocket tunnel quiet both ways this long"),
    WORKER_POOL_SIZE("worker-pool-size", "32", "threads for gateway calls that may block"),
    UPSTREAM_HOST("upstream-host", "127.0.0.1", "where preview ports are reached (remote: the provider's host)"),
    PREVIEW_PORTS("preview-ports", "auto",
            "app previews on ports of their own: auto (any free port), a range like 20000-20999, or path (/p/...)"),
    PREVIEW_DOMAIN("preview-domain", "",
            "serve app previews as <preview>-<sandbox>.<domain> on the broker's port, e.g. localhost; empty: off"),
    AUTH_FAILURES_PER_MINUTE("auth-failures-per-minute", "100",
            "401s one client address may cause per minute before it gets 429 for the rest of it; 0: no limit"),
    MAX_CONNECTIONS_PER_IP("max-connections-per-ip", "256",
            "connections one client address may hold open; 0: no limit"),
    TOKEN_MINTS_PER_MINUTE("token-mints-per-minute", "60",
            "tokens (and so sessions) one sandbox may have minted per minute before 429; 0: no limit"),
    MAX_FILE_SIZE("max-file-size", "5MiB", "largest file read or written in one piece"),
    STOP_GRACE_PERIOD("stop-grace-period", "5s", "how long a stopped process has after SIGTERM before SIGKILL"),
    OUTPUT_BUFFER("output-buffer", "1MiB", "output kept per process"),
    RETAINED_PROCESSES("retained-processes", "100", "finished processes a sandbox remembers"),
    WAIT_TIMEOUT("wait-timeout", "60s", "bound on waitForPorts and waitForCompletion when a request names none"),
    WARM_SHELL_IDLE("warm-shell-idle", "60s",
            "how long a shell started ahead of a sandbox's next exec waits for it; 0s starts none"),
    SANDBOX_MAX_PROCESSES("sandbox-max-processes", "512",
            "processes (threads included) one sandbox may hold at once, through its control group"),
    SANDBOX_CPUS("sandbox-cpus", "0",
            "CPU cores' worth of time one sandbox may use, e.g. 0.5 or 2; 0: no quota, an equal share"),
    SANDBOX_DISK_QUOTA("sandbox-disk-quota", "10GiB",
            "size of each new sandbox's own file system (a loop-mounted image; needs root); 0: none");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
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

    /** Whether the setting is a switch ({@code true} or {@code false}): its flag alone means {@code true}. */
    public boolean isSwitch() {
        return defaultValue.equals("false");
    }

    /** Whether the value must never be printed. */
    public boolean secret() {
        return this == API_KEY || this == UPSTREAM_API_KEY;
    }

    public static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }

    public static Optional<Setting> byEnv(String env) {
        return Arrays.stream(values()).filter(s -> s.env().equals(env)).findFirst();
    }
}
