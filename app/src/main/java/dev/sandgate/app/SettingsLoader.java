package dev.sandgate.app;

// Over 400 lines: every setting's parser and range; issue 12 asks for one typed setting each with its parser beside it, which is not done yet.

import dev.sandgate.adapter.vertx.PreviewPorts;

import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.redis.RedisEndpoint;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings from flags, the environment and an optional properties file, in that order of precedence, then
 * the defaults. Every error is a {@link ConfigurationException} that names the setting and where its value came from.
 */
public final class SettingsLoader {
    private static final String ENV_PREFIX = "SANDGATE_";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");
    private static final Pattern WORKSPACE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");
    private static final Pattern USER_INFO = Pattern.compile("://[^/?#]*@");
    private static final List<Setting> UPSTREAM_SETTINGS = List.of(Setting.UPSTREAM_URL, Setting.UPSTREAM_API_KEY,
            Setting.UPSTREAM_API_KEY_FILE, Setting.UPSTREAM_WORKSPACE);
    private static final String UPSTREAM_KEY_RULE = "give 1-4096 printable ASCII characters without spaces";

    private final Path userHome;
    private final Path workingDir;

    private SettingsLoader(Path userHome, Path workingDir) {
        this.userHome = Objects.requireNonNull(userHome, "userHome must not be null");
        this.workingDir = Objects.requireNonNull(workingDir, "workingDir must not be null");
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

    public Invocation load(List<String> args, Map<String, String> env) {
        Objects.requireNonNull(args, "args must not be null");
        Objects.requireNonNull(env, "env must not be null");
        Map<Setting, Sourced> flags = new EnumMap<>(Setting.class);
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Invocation.Help(usage());
            }
            parseFlag(arg, flags);
        }

        List<String> warnings = new ArrayList<>();
        Map<Setting, Sourced> fromEnv = new EnumMap<>(Setting.class);
        env.forEach((name, value) -> {
            if (!name.startsWith(ENV_PREFIX)) {
                return;
            }
            Optional<Setting> setting = Setting.byEnv(name);
            if (setting.isPresent()) {
                fromEnv.put(setting.get(), new Sourced(value, name));
            } else {
                warnings.add("ignoring unknown environment variable " + name);
            }
        });

        Map<Setting, Sourced> fromFile = new EnumMap<>(Setting.class);
        Sourced configSource = flags.getOrDefault(Setting.CONFIG, fromEnv.get(Setting.CONFIG));
        Optional<Path> configFile = Optional.empty();
        if (configSource != null && !configSource.value().isBlank()) {
            Path file = path(configSource);
            configFile = Optional.of(file);
            readFile(file, fromFile);
        }

        Function<Setting, Sourced> pick = setting -> {
            if (flags.containsKey(setting)) {
                return flags.get(setting);
            }
            if (fromEnv.containsKey(setting)) {
                return fromEnv.get(setting);
            }
            if (fromFile.containsKey(setting)) {
                return fromFile.get(setting);
            }
            return new Sourced(setting.defaultValue(), "the default");
        };
        BrokerLimits broker = new BrokerLimits(
                parse(pick.apply(Setting.IDLE_TIMEOUT), Setting.IDLE_TIMEOUT,
                        v -> durationIn(v, Duration.ofSeconds(1), Duration.ofHours(1))),
                parse(pick.apply(Setting.BODY_LIMIT), Setting.BODY_LIMIT, v -> sizeIn(v, 1024, 1024L * 1024 * 1024)),
                parse(pick.apply(Setting.MAX_HEADER_SIZE), Setting.MAX_HEADER_SIZE,
                        v -> (int) sizeIn(v, 1024, 1024 * 1024)),
                parse(pick.apply(Setting.MAX_INITIAL_LINE), Setting.MAX_INITIAL_LINE,
                        v -> (int) sizeIn(v, 256, 1024 * 1024)),
                parse(pick.apply(Setting.KEEPALIVE_INTERVAL), Setting.KEEPALIVE_INTERVAL,
                        v -> durationIn(v, Duration.ofMillis(10), Duration.ofMinutes(10))),
                parse(pick.apply(Setting.WORKER_POOL_SIZE), Setting.WORKER_POOL_SIZE, v -> intIn(v, 1, 1024)),
                host(pick.apply(Setting.UPSTREAM_HOST), Setting.UPSTREAM_HOST),
                parse(pick.apply(Setting.PREVIEW_PORTS), Setting.PREVIEW_PORTS, PreviewPorts::parse),
                parse(pick.apply(Setting.AUTH_FAILURES_PER_MINUTE), Setting.AUTH_FAILURES_PER_MINUTE,
                        v -> intIn(v, 0, 1_000_000)),
                parse(pick.apply(Setting.MAX_CONNECTIONS_PER_IP), Setting.MAX_CONNECTIONS_PER_IP,
                        v -> intIn(v, 0, 1_000_000)),
                parse(pick.apply(Setting.TOKEN_MINTS_PER_MINUTE), Setting.TOKEN_MINTS_PER_MINUTE,
                        v -> intIn(v, 0, 1_000_000)),
                parse(pick.apply(Setting.PREVIEW_DOMAIN), Setting.PREVIEW_DOMAIN, SettingsLoader::previewDomain),
                parse(pick.apply(Setting.STREAM_BUFFER), Setting.STREAM_BUFFER, v -> sizeIn(v, 16 * 1024, 1024L * 1024 * 1024)),
                parse(pick.apply(Setting.TUNNEL_IDLE_TIMEOUT), Setting.TUNNEL_IDLE_TIMEOUT,
                        v -> durationIn(v, Duration.ofSeconds(1), Duration.ofDays(7))));
        ProcessSettings processes = new ProcessSettings(
                parse(pick.apply(Setting.STOP_GRACE_PERIOD), Setting.STOP_GRACE_PERIOD,
                        v -> durationIn(v, Duration.ZERO, Duration.ofMinutes(10))),
                parse(pick.apply(Setting.OUTPUT_BUFFER), Setting.OUTPUT_BUFFER,
                        v -> (int) sizeIn(v, ProcessSettings.MIN_OUTPUT_BUFFER_BYTES, 256L * 1024 * 1024)),
                parse(pick.apply(Setting.RETAINED_PROCESSES), Setting.RETAINED_PROCESSES, v -> intIn(v, 0, 100_000)),
                parse(pick.apply(Setting.WAIT_TIMEOUT), Setting.WAIT_TIMEOUT,
                        v -> durationIn(v, Duration.ofSeconds(1), Duration.ofHours(24))),
                ProcessSettings.defaults().subscriberQueueLines(),
                parse(pick.apply(Setting.WARM_SHELL_IDLE), Setting.WARM_SHELL_IDLE,
                        v -> durationIn(v, Duration.ZERO, Duration.ofHours(24))));
        GatewayKind gateway = parse(pick.apply(Setting.GATEWAY), Setting.GATEWAY, GatewayKind::parse);
        Optional<Upstream> upstream = Optional.empty();
        if (gateway == GatewayKind.REMOTE) {
            upstream = Optional.of(upstream(pick, warnings));
        } else {
            List<String> ignored = UPSTREAM_SETTINGS.stream()
                    .filter(s -> flags.containsKey(s) || fromEnv.containsKey(s) || fromFile.containsKey(s))
                    .map(Setting::key)
                    .toList();
            if (!ignored.isEmpty()) {
                warnings.add("ignoring " + String.join(", ", ignored) + ": only the remote gateway has an upstream,"
                        + " and the gateway is '" + gateway.key() + "'");
            }
        }
        Path dataDir = path(pick.apply(Setting.DATA_DIR));
        StoreSettings store = store(pick, dataDir, s -> flags.containsKey(s) || fromEnv.containsKey(s)
                || fromFile.containsKey(s), warnings);
        AppSettings settings = new AppSettings(
                gateway,
                upstream,
                host(pick.apply(Setting.HOST), Setting.HOST),
                parse(pick.apply(Setting.PORT), Setting.PORT, v -> intIn(v, 0, 65535)),
                optional(pick.apply(Setting.PUBLIC_URL)).map(s -> parse(s, Setting.PUBLIC_URL, SettingsLoader::httpUrl)),
                dataDir,
                optional(pick.apply(Setting.API_KEY)).map(SettingsLoader::apiKey),
                parse(pick.apply(Setting.WORKSPACE), Setting.WORKSPACE, SettingsLoader::workspace),
                parse(pick.apply(Setting.ISOLATION), Setting.ISOLATION, IsolationMode::parse),
                parse(pick.apply(Setting.ALLOW_UNISOLATED_SESSIONS), Setting.ALLOW_UNISOLATED_SESSIONS,
                        SettingsLoader::switchValue),
                broker,
                processes,
                parse(pick.apply(Setting.MAX_FILE_SIZE), Setting.MAX_FILE_SIZE,
                        v -> sizeIn(v, 1, LocalSettings.MAX_FILE_BYTES_LIMIT)),
                new SandboxLimits(
                        parse(pick.apply(Setting.SANDBOX_MAX_PROCESSES), Setting.SANDBOX_MAX_PROCESSES,
                                v -> intIn(v, 1, SandboxLimits.MAX_PROCESSES_LIMIT)),
                        parse(pick.apply(Setting.SANDBOX_CPUS), Setting.SANDBOX_CPUS, SettingsLoader::cpus),
                        parse(pick.apply(Setting.SANDBOX_DISK_QUOTA), Setting.SANDBOX_DISK_QUOTA,
                                SettingsLoader::diskQuota)),
                parse(pick.apply(Setting.SANDBOX_NETWORK), Setting.SANDBOX_NETWORK, NetworkMode::parse),
                configFile,
                store);
        return new Invocation.Run(settings, warnings);
    }

    /** The text {@code --help} prints: every setting with its flag, variable and default. */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: java -jar sandgate.jar [--setting=value ...]\n\n")
                .append("Runs the Sandgate session broker. Each setting is read from its flag, then its environment\n")
                .append("variable, then the properties file given by --config, then its default.\n\n");
        for (Setting s : Setting.values()) {
            out.append(String.format(Locale.ROOT, "  %-28s %-31s %s%n", s.flag() + "=...", s.env(), s.description()));
            if (!s.defaultValue().isEmpty()) {
                out.append(String.format(Locale.ROOT, "  %-28s %-31s default: %s%n", "", "", s.defaultValue()));
            }
        }
        out.append("\nSIGTERM or Ctrl-C stops every process, flushes the state and exits. Exit status 2 means a\n")
                .append("configuration error, 1 that the broker could not start.\n");
        return out.toString();
    }

    private static void parseFlag(String arg, Map<Setting, Sourced> flags) {
        if (!arg.startsWith("--")) {
            throw new ConfigurationException("unexpected argument '" + printable(arg)
                    + "': settings are given as --name=value (see --help)");
        }
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        Setting setting = Setting.byKey(name).orElseThrow(() -> new ConfigurationException(
                "unknown flag '--" + printable(name) + "' (see --help for the settings)"));
        if (eq < 0 && !setting.isSwitch()) {
            throw new ConfigurationException("flag " + setting.flag() + " needs a value: " + setting.flag() + "=...");
        }
        if (flags.containsKey(setting)) {
            throw new ConfigurationException("flag " + setting.flag() + " is given twice");
        }
        flags.put(setting, new Sourced(eq < 0 ? "true" : arg.substring(eq + 1), setting.flag()));
    }

    private static void readFile(Path file, Map<Setting, Sourced> into) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("configuration file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("configuration file " + file + " cannot be read: " + e.getMessage(), e);
        }
        for (String key : properties.stringPropertyNames()) {
            Setting setting = Setting.byKey(key).orElseThrow(() -> new ConfigurationException(
                    "unknown setting '" + printable(key) + "' in " + file + " (see --help for the settings)"));
            if (setting == Setting.CONFIG) {
                throw new ConfigurationException("'config' cannot be set inside the configuration file " + file);
            }
            into.put(setting, new Sourced(properties.getProperty(key).trim(), "'" + key + "' in " + file));
        }
    }

    private static <T> T parse(Sourced sourced, Setting setting, Function<String, T> parser) {
        try {
            return parser.apply(sourced.value().trim());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw invalid(sourced, setting, e.getMessage());
        }
    }

    private static ConfigurationException invalid(Sourced sourced, Setting setting, String why) {
        String shown = setting.secret() ? "***" : "'" + printable(withoutUserInfo(sourced.value())) + "'";
        return new ConfigurationException("invalid " + setting.key() + " " + shown + " (from " + sourced.origin()
                + "): " + why);
    }

    private static Optional<Sourced> optional(Sourced sourced) {
        return sourced.value().isBlank() ? Optional.empty() : Optional.of(sourced);
    }

    private String host(Sourced sourced, Setting setting) {
        return parse(sourced, setting, v -> {
            if (!HOST.matcher(v).matches()) {
                throw new IllegalArgumentException("give an IP address or a host name");
            }
            return v;
        });
    }

    private Path path(Sourced sourced) {
        String value = sourced.value().trim();
        if (value.isEmpty()) {
            throw new ConfigurationException("invalid path '' (from " + sourced.origin() + "): give a directory");
        }
        try {
            Path path;
            if (value.equals("~")) {
                path = userHome;
            } else if (value.startsWith("~/")) {
                path = userHome.resolve(value.substring(2));
            } else {
                path = workingDir.resolve(value);
            }
            return path.normalize();
        } catch (InvalidPathException e) {
            throw new ConfigurationException("invalid path '" + printable(value) + "' (from " + sourced.origin() + "): "
                    + e.getReason());
        }
    }

    private static String apiKey(Sourced sourced) {
        String key = sourced.value().trim();
        if (key.length() < 16 || key.length() > 512 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw invalid(sourced, Setting.API_KEY, "give 16-512 printable ASCII characters without spaces");
        }
        return key;
    }

    private static String workspace(String value) {
        if (!WORKSPACE.matcher(value).matches() || value.equals("v0") || value.equals("s") || value.equals("p")) {
            throw new IllegalArgumentException("use 1-63 lowercase letters, digits or '-' (not 'v0', 's' or 'p')");
        }
        return value;
    }

    /**
     * The remote gateway's upstream: its URL, its API key (from {@link Setting#UPSTREAM_API_KEY} or
     * {@link Setting#UPSTREAM_API_KEY_FILE}, exactly one) and its workspace. What is missing or wrong is named with
     * its source; the key never is.
     */
    private Upstream upstream(Function<Setting, Sourced> pick, List<String> warnings) {
        Sourced urlSource = optional(pick.apply(Setting.UPSTREAM_URL)).orElseThrow(() -> new ConfigurationException(
                "the remote gateway needs the upstream's control-plane URL: " + Setting.UPSTREAM_URL.flag()
                        + "=... or " + Setting.UPSTREAM_URL.env() + "=... (e.g. http://127.0.0.1:9090/v0 for another"
                        + " broker, https://api.blaxel.ai/v0 for Blaxel)"));
        URI url = parse(urlSource, Setting.UPSTREAM_URL, SettingsLoader::httpUrl);
        if (url.getRawPath() == null || url.getRawPath().isEmpty()) {
            warnings.add(Setting.UPSTREAM_URL.key() + " " + url + " has no path; Sandgate brokers and Blaxel serve"
                    + " their control plane under /v0");
        }

        Optional<Sourced> key = optional(pick.apply(Setting.UPSTREAM_API_KEY));
        Optional<Sourced> keyFile = optional(pick.apply(Setting.UPSTREAM_API_KEY_FILE));
        String apiKey;
        String keyOrigin;
        if (key.isPresent() && keyFile.isPresent()) {
            throw new ConfigurationException("give the upstream's API key once: " + Setting.UPSTREAM_API_KEY.key()
                    + " (from " + key.get().origin() + ") or " + Setting.UPSTREAM_API_KEY_FILE.key() + " (from "
                    + keyFile.get().origin() + "), not both");
        } else if (key.isPresent()) {
            apiKey = key.get().value().trim();
            if (!Upstream.validKey(apiKey)) {
                throw invalid(key.get(), Setting.UPSTREAM_API_KEY, UPSTREAM_KEY_RULE);
            }
            keyOrigin = key.get().origin();
        } else if (keyFile.isPresent()) {
            Path file = path(keyFile.get());
            apiKey = readUpstreamKey(file, keyFile.get());
            keyOrigin = "the file " + file + " (from " + keyFile.get().origin() + ")";
        } else {
            throw new ConfigurationException("the remote gateway needs the upstream's API key: "
                    + Setting.UPSTREAM_API_KEY_FILE.flag() + "=<file> or " + Setting.UPSTREAM_API_KEY_FILE.env()
                    + ", or " + Setting.UPSTREAM_API_KEY.env() + " (" + Setting.UPSTREAM_API_KEY.flag()
                    + " shows in ps)");
        }
        String workspace = parse(pick.apply(Setting.UPSTREAM_WORKSPACE), Setting.UPSTREAM_WORKSPACE, v -> {
            if (!WORKSPACE.matcher(v).matches()) {
                throw new IllegalArgumentException("use 1-63 lowercase letters, digits or '-'");
            }
            return v;
        });
        return new Upstream(url, apiKey, keyOrigin, workspace);
    }

    /**
     * Where previews, tokens and sessions live: the file store (Redis settings are then ignored, with a warning) or
     * Redis at {@link Setting#REDIS_URL}, with the password from {@link Setting#REDIS_PASSWORD_FILE}; and the token
     * key file, {@code <data-dir>/secret.key} unless {@link Setting#TOKEN_KEY_FILE} says otherwise.
     */
    private StoreSettings store(Function<Setting, Sourced> pick, Path dataDir,
                                java.util.function.Predicate<Setting> given, List<String> warnings) {
        StoreSettings.Kind kind = parse(pick.apply(Setting.STORE), Setting.STORE, StoreSettings.Kind::parse);
        Path keyFile = optional(pick.apply(Setting.TOKEN_KEY_FILE)).map(this::path)
                .orElse(dataDir.resolve("secret.key"));
        if (kind == StoreSettings.Kind.FILE) {
            List<String> ignored = java.util.stream.Stream.of(Setting.REDIS_URL, Setting.REDIS_PASSWORD_FILE)
                    .filter(given).map(Setting::key).toList();
            if (!ignored.isEmpty()) {
                warnings.add("ignoring " + String.join(", ", ignored) + ": the store is 'file' (set "
                        + Setting.STORE.flag() + "=redis to use Redis)");
            }
            return StoreSettings.file(keyFile);
        }
        Sourced url = optional(pick.apply(Setting.REDIS_URL)).orElseThrow(() -> new ConfigurationException(
                "the redis store needs Redis's address: " + Setting.REDIS_URL.flag() + "=redis://host:port[/db] or "
                        + Setting.REDIS_URL.env()));
        Optional<String> password = optional(pick.apply(Setting.REDIS_PASSWORD_FILE))
                .map(s -> readRedisPassword(path(s), s));
        RedisEndpoint endpoint = parse(url, Setting.REDIS_URL, v -> RedisEndpoint.parse(v, password));
        return StoreSettings.redis(endpoint, keyFile);
    }

    /** Redis's password from its file, which only its owner may read; never echoed. */
    private static String readRedisPassword(Path file, Sourced sourced) {
        String what = "Redis password file " + file + " (from " + sourced.origin() + ")";
        requireOwnerOnly(file, what);
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigurationException(what + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (password.isEmpty() || password.length() > 4096 || password.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigurationException(what + " does not hold a password: give 1-4096 characters on one line");
        }
        return password;
    }

    private static void requireOwnerOnly(Path file, String what) {
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
    }

    /** The upstream's key from its file, which only its owner may read (as {@code <data-dir>/api-key}). */
    private static String readUpstreamKey(Path file, Sourced sourced) {
        String what = "upstream API key file " + file + " (from " + sourced.origin() + ")";
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
        String key;
        try {
            key = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            // never the content: a malformed-input message names no bytes, but say only what kind of failure it was
            throw new ConfigurationException(what + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!Upstream.validKey(key)) {
            throw new ConfigurationException(what + " does not hold a valid key: " + UPSTREAM_KEY_RULE);
        }
        return key;
    }

    /** An absolute http(s) URL without user info, query or fragment, trailing slashes removed. */
    private static URI httpUrl(String value) {
        URI url;
        try {
            url = new URI(value.replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
        String scheme = url.getScheme();
        if (!url.isAbsolute() || url.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("give an absolute http(s) URL without user info, query or fragment");
        }
        return url;
    }

    /** {@code true} or {@code false}, ignoring case. */
    static boolean switchValue(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("give true or false");
    }

    static int intIn(String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("out of range " + min + "-" + max);
        }
        return (int) parsed;
    }

    /** A number of CPU cores ({@code 0.5}, {@code 2}); {@code 0} for no quota. */
    static OptionalDouble cpus(String value) {
        double parsed;
        try {
            parsed = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of CPUs: give one such as 0.5 or 2, or 0 for no quota");
        }
        if (parsed == 0) {
            return OptionalDouble.empty();
        }
        if (!(parsed >= SandboxLimits.MIN_CPUS && parsed <= SandboxLimits.MAX_CPUS)) {
            throw new IllegalArgumentException("out of range " + SandboxLimits.MIN_CPUS + "-"
                    + (int) SandboxLimits.MAX_CPUS + " (or 0 for no quota)");
        }
        return OptionalDouble.of(parsed);
    }

    /** A size of at least {@link SandboxLimits#MIN_DISK_QUOTA_BYTES}, or {@code 0} for no quota. */
    static long diskQuota(String value) {
        if (value.trim().equals("0")) {
            return 0;
        }
        return sizeIn(value.trim(), SandboxLimits.MIN_DISK_QUOTA_BYTES, 1L << 50);
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT30S}). */
    /** Empty for none; otherwise a lowercase host name (checked again, with the exact rule, by the broker). */
    static Optional<String> previewDomain(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!v.matches("[a-z0-9.-]{1,190}") || v.startsWith(".") || v.endsWith(".") || v.contains("..")) {
            throw new IllegalArgumentException("not a host name: give one such as localhost or preview.example.com, "
                    + "without scheme or port");
        }
        return Optional.of(v);
    }

    static Duration durationIn(String value, Duration min, Duration max) {
        Duration duration;
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            duration = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } else if (value.toUpperCase(Locale.ROOT).startsWith("PT")) {
            try {
                duration = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: use 500ms, 30s, 5m, 1h or PT30S");
            }
        } else {
            throw new IllegalArgumentException("not a duration: use 500ms, 30s, 5m, 1h or PT30S");
        }
        if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            throw new IllegalArgumentException("out of range " + min + " - " + max);
        }
        return duration;
    }

    /** Bytes, optionally with a binary unit: {@code 1048576}, {@code 1024KiB}, {@code 1m}, {@code 1MiB}. */
    static long sizeIn(String value, long min, long max) {
        Matcher m = SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: use bytes or a unit, e.g. 65536, 64KiB, 1MiB");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (amount > max / factor || amount * factor < min) {
            throw new IllegalArgumentException("out of range " + min + "-" + max + " bytes");
        }
        return amount * factor;
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
