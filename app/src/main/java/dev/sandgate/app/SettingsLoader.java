package dev.sandgate.app;

// Over 400 lines: it reads every setting and checks them against each other (a gateway's settings against the
// store's, a file's mode, what is ignored with a warning) in one pass; the settings themselves, their parsers and
// their sources are classes of their own.

// Over 400 lines: it turns flags, environment and the settings file into each module's settings record in one pass,
// so that every setting's source order and its cross-checks (store vs gateway, node vs cluster) are read in one place.

import static dev.sandgate.app.Setting.*;

import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.adapter.redis.RedisEndpoint;
import dev.sandgate.adapter.vertx.SessionQuotaDefaults;
import dev.sandgate.adapter.vertx.AuditWebhookSettings;
import dev.sandgate.ports.audit.AuditRetention;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the settings from flags, the environment and an optional properties file, in that order of precedence, then
 * the defaults. Each value is parsed by its {@link Setting}'s own parser; every error is a
 * {@link ConfigurationException} that names the setting and where its value came from.
 */
public final class SettingsLoader {
    private static final String ENV_PREFIX = "SANDGATE_";
    private static final Pattern USER_INFO = Pattern.compile("://[^/?#]*@");
    private static final List<Setting<?>> UPSTREAM_SETTINGS = List.of(UPSTREAM_URL, UPSTREAM_API_KEY,
            UPSTREAM_API_KEY_FILE, UPSTREAM_WORKSPACE);
    private static final String UPSTREAM_KEY_RULE = "give 1-4096 printable ASCII characters without spaces";

    private final Parser.Locations locations;

    private SettingsLoader(Path userHome, Path workingDir) {
        this.locations = new Parser.Locations(Objects.requireNonNull(userHome, "userHome must not be null"),
                Objects.requireNonNull(workingDir, "workingDir must not be null"));
    }

    /** A loader that expands {@code ~} to {@code userHome} and resolves relative paths against {@code workingDir}. */
    public static SettingsLoader create(Path userHome, Path workingDir) {
        return new SettingsLoader(userHome.toAbsolutePath(), workingDir.toAbsolutePath());
    }

    /** A loader for this process: {@link #home} of its environment, and {@code user.dir}. */
    public static SettingsLoader forThisProcess() {
        return create(home(System.getenv(), System.getProperty("user.home")), Path.of(System.getProperty("user.dir")));
    }

    /**
     * The home directory {@code ~} means, as a shell has it: {@code $HOME} when it is set to an absolute path, so
     * that {@code HOME=/somewhere java -jar …} keeps its key in {@code /somewhere/.sandgate}; the JVM's
     * {@code user.home} (the passwd entry) only when it is not.
     */
    static Path home(Map<String, String> env, String jvmUserHome) {
        String home = env.get("HOME");
        if (home != null && !home.isBlank() && home.startsWith("/")) {
            return Path.of(home);
        }
        return Path.of(jvmUserHome);
    }

    /** A value and where it came from, for error messages. */
    private record Sourced(String value, String origin) {
    }

    /** The values given by each source; {@link #get} parses the one that wins with its setting's parser. */
    private final class Sources {
        private final Map<Setting<?>, Sourced> flags = new HashMap<>();
        private final Map<Setting<?>, Sourced> env = new HashMap<>();
        private final Map<Setting<?>, Sourced> file = new HashMap<>();

        Sourced pick(Setting<?> setting) {
            return Stream.of(flags, env, file).map(m -> m.get(setting)).filter(Objects::nonNull).findFirst()
                    .orElseGet(() -> new Sourced(setting.defaultValue(), "the default"));
        }

        boolean given(Setting<?> setting) {
            return flags.containsKey(setting) || env.containsKey(setting) || file.containsKey(setting);
        }

        <T> T get(Setting<T> setting) {
            Sourced sourced = pick(setting);
            try {
                return setting.parser().parse(sourced.value(), locations);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw invalid(sourced, setting, e.getMessage());
            }
        }
    }

    public Invocation load(List<String> args, Map<String, String> env) {
        Objects.requireNonNull(args, "args must not be null");
        Objects.requireNonNull(env, "env must not be null");
        Sources in = new Sources();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Invocation.Help(usage());
            }
            parseFlag(arg, in.flags);
        }
        List<String> warnings = new ArrayList<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                Setting.byEnv(name).ifPresentOrElse(s -> in.env.put(s, new Sourced(value, name)),
                        () -> warnings.add("ignoring unknown environment variable " + name));
            }
        });
        Optional<Path> configFile = in.get(CONFIG);
        configFile.ifPresent(file -> readFile(file, in.file));

        GatewayKind gateway = in.get(GATEWAY);
        Optional<Upstream> upstream = Optional.empty();
        if (gateway == GatewayKind.REMOTE) {
            upstream = Optional.of(upstream(in, warnings));
        } else {
            List<String> ignored = UPSTREAM_SETTINGS.stream().filter(in::given).map(Setting::key).toList();
            if (!ignored.isEmpty()) {
                warnings.add("ignoring " + String.join(", ", ignored) + ": only the remote gateway has an upstream,"
                        + " and the gateway is '" + gateway.key() + "'");
            }
        }
        if (gateway == GatewayKind.CLUSTER && in.get(STORE) != StoreSettings.Kind.REDIS) {
            throw new ConfigurationException("the cluster gateway (" + GATEWAY.flag() + "=cluster, from "
                    + in.pick(GATEWAY).origin() + ") needs the redis store, which holds the nodes and where their "
                    + "sandboxes live: add " + STORE.flag() + "=redis and " + REDIS_URL.flag() + "=redis://host:port");
        }
        Path dataDir = in.get(DATA_DIR);
        BrokerLimits broker = BrokerLimits.builder()
                .idleTimeout(in.get(IDLE_TIMEOUT))
                .bodyLimitBytes(in.get(BODY_LIMIT))
                .maxHeaderBytes(in.get(MAX_HEADER_SIZE))
                .maxInitialLineBytes(in.get(MAX_INITIAL_LINE))
                .keepaliveInterval(in.get(KEEPALIVE_INTERVAL))
                .workerPoolSize(in.get(WORKER_POOL_SIZE))
                .upstreamHost(in.get(UPSTREAM_HOST))
                .previewPorts(in.get(PREVIEW_PORTS))
                .authFailuresPerMinute(in.get(AUTH_FAILURES_PER_MINUTE))
                .maxConnectionsPerIp(in.get(MAX_CONNECTIONS_PER_IP))
                .tokenMintsPerMinute(in.get(TOKEN_MINTS_PER_MINUTE))
                .previewDomain(in.get(PREVIEW_DOMAIN))
                .streamBufferBytes(in.get(STREAM_BUFFER))
                .tunnelIdleTimeout(in.get(TUNNEL_IDLE_TIMEOUT))
                .adminListen(in.get(ADMIN_LISTEN))
                .accessLog(in.get(ACCESS_LOG))
                .sessionQuotas(new SessionQuotaDefaults(in.get(SESSION_REQUESTS_PER_SECOND),
                        in.get(SESSION_CONCURRENT_EXECS), in.get(SESSION_CONCURRENT_STREAMS)))
                .build();
        ProcessSettings processes = ProcessSettings.defaults().toBuilder()
                .stopGracePeriod(in.get(STOP_GRACE_PERIOD))
                .outputBufferBytes(in.get(OUTPUT_BUFFER))
                .retainedFinishedProcesses(in.get(RETAINED_PROCESSES))
                .defaultWaitTimeout(in.get(WAIT_TIMEOUT))
                .warmShellIdle(in.get(WARM_SHELL_IDLE))
                .build();
        AppSettings settings = AppSettings.builder()
                .gateway(gateway)
                .upstream(upstream)
                .host(in.get(HOST))
                .port(in.get(PORT))
                .publicUrl(in.get(PUBLIC_URL))
                .dataDir(dataDir)
                .apiKey(in.get(API_KEY))
                .workspace(in.get(WORKSPACE))
                .isolation(in.get(ISOLATION))
                .allowUnisolatedSessions(in.get(ALLOW_UNISOLATED_SESSIONS))
                .broker(broker)
                .processes(processes)
                .maxFileBytes(in.get(MAX_FILE_SIZE))
                .limits(new SandboxLimits(in.get(SANDBOX_MAX_PROCESSES), in.get(SANDBOX_CPUS),
                        in.get(SANDBOX_DISK_QUOTA)))
                .network(in.get(SANDBOX_NETWORK))
                .configFile(configFile)
                .store(store(in, dataDir, warnings))
                .node(new NodeSettings(in.get(NODE_ID), in.get(NODE_URL), in.get(NODE_HEARTBEAT)))
                .audit(audit(in))
                .build();
        return new Invocation.Run(settings, warnings);
    }

    /** The text {@code --help} prints: every setting with its flag, variable, values and default. */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: java -jar sandgate.jar [--setting=value ...]\n\n")
                .append("Runs the Sandgate session broker. Each setting is read from its flag, then its environment\n")
                .append("variable, then the properties file given by --config, then its default.\n\n");
        for (Setting<?> s : Setting.values()) {
            out.append(String.format(Locale.ROOT, "  %-28s %-31s %s%n", s.flag() + "=...", s.env(), s.description()));
            String values = (s.accepts().isEmpty() ? "" : "values: " + s.accepts())
                    + (s.accepts().isEmpty() || s.defaultValue().isEmpty() ? "" : "; ")
                    + (s.defaultValue().isEmpty() ? "" : "default: " + s.defaultValue());
            if (!values.isEmpty()) {
                out.append(String.format(Locale.ROOT, "  %-28s %-31s %s%n", "", "", values));
            }
        }
        out.append("\nSIGTERM or Ctrl-C stops every process, flushes the state and exits. Exit status 2 means a\n")
                .append("configuration error, 1 that the broker could not start.\n");
        return out.toString();
    }

    private static void parseFlag(String arg, Map<Setting<?>, Sourced> flags) {
        if (!arg.startsWith("--")) {
            throw new ConfigurationException("unexpected argument '" + printable(arg)
                    + "': settings are given as --name=value (see --help)");
        }
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        Setting<?> setting = Setting.byKey(name).orElseThrow(() -> new ConfigurationException(
                "unknown flag '--" + printable(name) + "' (see --help for the settings)"));
        if (eq < 0 && !setting.isSwitch()) {
            throw new ConfigurationException("flag " + setting.flag() + " needs a value: " + setting.flag() + "=...");
        }
        if (flags.containsKey(setting)) {
            throw new ConfigurationException("flag " + setting.flag() + " is given twice");
        }
        flags.put(setting, new Sourced(eq < 0 ? "true" : arg.substring(eq + 1), setting.flag()));
    }

    private static void readFile(Path file, Map<Setting<?>, Sourced> into) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("configuration file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("configuration file " + file + " cannot be read: " + e.getMessage(), e);
        }
        for (String key : properties.stringPropertyNames()) {
            Setting<?> setting = Setting.byKey(key).orElseThrow(() -> new ConfigurationException(
                    "unknown setting '" + printable(key) + "' in " + file + " (see --help for the settings)"));
            if (setting == CONFIG) {
                throw new ConfigurationException("'config' cannot be set inside the configuration file " + file);
            }
            into.put(setting, new Sourced(properties.getProperty(key).trim(), "'" + key + "' in " + file));
        }
    }

    private static ConfigurationException invalid(Sourced sourced, Setting<?> setting, String why) {
        String shown = setting.secret() ? "***" : "'" + printable(withoutUserInfo(sourced.value())) + "'";
        return new ConfigurationException("invalid " + setting.key() + " " + shown + " (from " + sourced.origin()
                + "): " + why);
    }

    /**
     * The remote gateway's upstream: its URL, its API key (from {@link Setting#UPSTREAM_API_KEY} or
     * {@link Setting#UPSTREAM_API_KEY_FILE}, exactly one) and its workspace. What is missing or wrong is named with
     * its source; the key never is.
     */
    private Upstream upstream(Sources in, List<String> warnings) {
        URI url = in.get(UPSTREAM_URL).orElseThrow(() -> new ConfigurationException(
                "the remote gateway needs the upstream's control-plane URL: " + UPSTREAM_URL.flag()
                        + "=... or " + UPSTREAM_URL.env() + "=... (e.g. http://127.0.0.1:9090/v0 for another"
                        + " broker, https://api.blaxel.ai/v0 for Blaxel)"));
        if (url.getRawPath() == null || url.getRawPath().isEmpty()) {
            warnings.add(UPSTREAM_URL.key() + " " + url + " has no path; Sandgate brokers and Blaxel serve"
                    + " their control plane under /v0");
        }
        Optional<String> key = in.get(UPSTREAM_API_KEY);
        Optional<Path> keyFile = in.get(UPSTREAM_API_KEY_FILE);
        String apiKey;
        String keyOrigin;
        if (key.isPresent() && keyFile.isPresent()) {
            throw new ConfigurationException("give the upstream's API key once: " + UPSTREAM_API_KEY.key()
                    + " (from " + in.pick(UPSTREAM_API_KEY).origin() + ") or " + UPSTREAM_API_KEY_FILE.key()
                    + " (from " + in.pick(UPSTREAM_API_KEY_FILE).origin() + "), not both");
        } else if (key.isPresent()) {
            apiKey = key.get();
            keyOrigin = in.pick(UPSTREAM_API_KEY).origin();
            if (!Upstream.validKey(apiKey)) {
                throw invalid(in.pick(UPSTREAM_API_KEY), UPSTREAM_API_KEY, UPSTREAM_KEY_RULE);
            }
        } else if (keyFile.isPresent()) {
            String what = "upstream API key file " + keyFile.get() + " (from " + in.pick(UPSTREAM_API_KEY_FILE).origin()
                    + ")";
            apiKey = readOwnerOnly(keyFile.get(), what, StandardCharsets.US_ASCII).trim();
            if (!Upstream.validKey(apiKey)) {
                throw new ConfigurationException(what + " does not hold a valid key: " + UPSTREAM_KEY_RULE);
            }
            keyOrigin = "the file " + keyFile.get() + " (from " + in.pick(UPSTREAM_API_KEY_FILE).origin() + ")";
        } else {
            throw new ConfigurationException("the remote gateway needs the upstream's API key: "
                    + UPSTREAM_API_KEY_FILE.flag() + "=<file> or " + UPSTREAM_API_KEY_FILE.env()
                    + ", or " + UPSTREAM_API_KEY.env() + " (" + UPSTREAM_API_KEY.flag() + " shows in ps)");
        }
        return new Upstream(url, apiKey, keyOrigin, in.get(UPSTREAM_WORKSPACE));
    }

    /**
     * Where previews, tokens and sessions live: the file store (Redis settings are then ignored, with a warning) or
     * Redis at {@link Setting#REDIS_URL}, with the password from {@link Setting#REDIS_PASSWORD_FILE}; and the token
     * key file, {@code <data-dir>/secret.key} unless {@link Setting#TOKEN_KEY_FILE} says otherwise.
     */
    private StoreSettings store(Sources in, Path dataDir, List<String> warnings) {
        StoreSettings.Kind kind = in.get(STORE);
        Path keyFile = in.get(TOKEN_KEY_FILE).orElse(dataDir.resolve("secret.key"));
        if (kind == StoreSettings.Kind.FILE) {
            List<String> ignored = Stream.of(REDIS_URL, REDIS_PASSWORD_FILE).filter((Predicate<Setting<?>>) in::given)
                    .map(Setting::key).toList();
            if (!ignored.isEmpty()) {
                warnings.add("ignoring " + String.join(", ", ignored) + ": the store is 'file' (set "
                        + STORE.flag() + "=redis to use Redis)");
            }
            return StoreSettings.file(keyFile).withFileSync(in.get(FILE_STORE_SYNC));
        }
        if (in.given(FILE_STORE_SYNC)) {
            warnings.add("ignoring " + FILE_STORE_SYNC.key() + ": the store is 'redis' (Redis's own appendfsync "
                    + "decides when its changes are on the disk)");
        }
        String url = in.get(REDIS_URL).orElseThrow(() -> new ConfigurationException(
                "the redis store needs Redis's address: " + REDIS_URL.flag() + "=redis://host:port[/db] or "
                        + REDIS_URL.env()));
        Optional<String> password = in.get(REDIS_PASSWORD_FILE).map(file -> {
            String what = "Redis password file " + file + " (from " + in.pick(REDIS_PASSWORD_FILE).origin() + ")";
            String read = readOwnerOnly(file, what, StandardCharsets.UTF_8).strip();
            if (read.isEmpty() || read.length() > 4096 || read.chars().anyMatch(Character::isISOControl)) {
                throw new ConfigurationException(what + " does not hold a password: give 1-4096 characters on one line");
            }
            return read;
        });
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.parse(url, password);
        } catch (IllegalArgumentException e) {
            throw invalid(in.pick(REDIS_URL), REDIS_URL, e.getMessage());
        }
        return StoreSettings.redis(endpoint, keyFile);
    }

    /**
     * The audit trail's settings; the webhook needs both its URL and its secret's file (read here, never echoed).
     */
    private static AuditSettings audit(Sources in) {
        AuditRetention retention = new AuditRetention(in.get(AUDIT_MAX_AGE), in.get(AUDIT_MAX_ENTRIES));
        Optional<URI> url = in.get(AUDIT_WEBHOOK_URL);
        Optional<Path> secretFile = in.get(AUDIT_WEBHOOK_SECRET_FILE);
        if (url.isPresent() != secretFile.isPresent()) {
            throw new ConfigurationException("the audit webhook needs both " + AUDIT_WEBHOOK_URL.flag() + " and "
                    + AUDIT_WEBHOOK_SECRET_FILE.flag() + " (a file, mode 0600, holding its HMAC secret)");
        }
        Optional<AuditWebhookSettings> webhook = url.map(u -> {
            Path file = secretFile.orElseThrow();
            String what = "audit webhook secret file " + file + " (from " + in.pick(AUDIT_WEBHOOK_SECRET_FILE).origin()
                    + ")";
            byte[] secret = readOwnerOnly(file, what, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 16) {
                throw new ConfigurationException(what + " holds fewer than 16 bytes: give a longer secret");
            }
            try {
                return AuditWebhookSettings.of(u, secret).withQueueCapacity(in.get(AUDIT_WEBHOOK_QUEUE));
            } catch (IllegalArgumentException e) {
                throw invalid(in.pick(AUDIT_WEBHOOK_URL), AUDIT_WEBHOOK_URL, e.getMessage());
            }
        });
        return new AuditSettings(retention, in.get(AUDIT_QUEUE), webhook);
    }

    /**
     * A secret's file, which only its owner may read (as {@code <data-dir>/api-key}); what it holds is never echoed,
     * not even in a decoding error.
     */
    private static String readOwnerOnly(Path file, String what, Charset charset) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
                throw new ConfigurationException(what + " is open to others (mode "
                        + PosixFilePermissions.toString(permissions) + "); make it 0600: chmod 600 " + file);
            }
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(what + " does not exist");
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new ConfigurationException(what + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return Files.readString(file, charset);
        } catch (IOException e) {
            throw new ConfigurationException(what + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A URL's user info may be a credential: it is not echoed. */
    private static String withoutUserInfo(String value) {
        return USER_INFO.matcher(value).replaceFirst("://***@");
    }

    /** Echoes user input safely: no control characters, bounded length. */
    private static String printable(String value) {
        String cleaned = value.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
