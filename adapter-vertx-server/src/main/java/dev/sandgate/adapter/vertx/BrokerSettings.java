package dev.sandgate.adapter.vertx;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the broker listens and which limits it enforces. Every value is checked here, when the configuration is
 * accepted, so that nothing configured can fail at response time.
 *
 * @param host                interface to bind; {@code 127.0.0.1} by default
 * @param port                TCP port, {@code 0} for any free port (see {@link BrokerServer#actualPort()})
 * @param publicUrl           the URL clients reach the broker at (behind a reverse proxy, say); empty means
 *                            {@code http://host:actualPort}. Absolute http(s), no query or fragment.
 * @param workspace           the one workspace this broker serves ({@code X-Blaxel-Workspace}, and the first segment
 *                            of every sandbox's data-plane URL)
 * @param apiKey              the master credential, at least 16 characters; never logged
 * @param idleTimeout         a connection with no traffic for this long is closed (60 s by default)
 * @param maxHeaderBytes      total request header size; larger gets 431 (8 KiB by default)
 * @param maxInitialLineBytes request line length; longer gets 414 (4 KiB by default)
 * @param bodyLimitBytes      API (control and data plane) body limit; larger gets 413 (1 MiB by default). Preview
 *                            bodies are streamed and not limited here.
 * @param keepaliveInterval   how often streamed answers (log stream, NDJSON exec) send a keepalive line (30 s)
 * @param upstreamHost        where preview ports are reached ({@code 127.0.0.1}); never taken from a request
 * @param workerPoolSize      threads for gateway calls, which may block (process waits, file I/O, port polling)
 * @param previewPorts        whether application previews get an origin of their own (a port of the broker's host)
 *                            or live under {@code /p/{sandbox}/{preview}}; the path form by default here, and always
 *                            when a public URL is set (a reverse proxy in front would not forward those ports)
 * @param authFailuresPerMinute 401s one client address may cause per minute before it gets 429 until the minute
 *                            ends (100 by default, 0 for no limit); see {@link ClientLimits}
 * @param maxConnectionsPerIp connections one client address may hold open (256 by default, 0 for no limit)
 * @param tokenMintsPerMinute tokens one sandbox may have minted through the control plane per minute; more get 429
 *                            until the minute ends (60 by default, 0 for no limit)
 * @param previewDomain       when set, application previews are served by host name instead:
 *                            {@code <preview>-<sandbox>.<previewDomain>} on the broker's own port (see
 *                            {@link BrokerServer}); {@code localhost} works in browsers without any DNS
 * @param streams             streamed answers and WebSocket tunnels: revocation checks, buffering, idle timeout
 * @param sessionRefusal      when present, session URLs serve the API key only: a request there without it, token
 *                            or not, gets 403 with this reason. For a gateway whose sandbox processes are not
 *                            isolated from the host, where a session would hold the host (the application sets it
 *                            from the isolation in force). Application previews and their tokens are not concerned:
 *                            they reach a port of the sandbox, not its API. Empty by default.
 * @param accessLog           whether each request gets a line on the {@code sandgate.access} logger (see
 *                            {@link AccessLog}); on by default
 * @param sessionQuotas       the quotas of a session that sets none of its own ({@link QuotaCheck}):
 *                            {@link SessionQuotaDefaults#DEFAULTS} by default
 */
public record BrokerSettings(String host, int port, Optional<URI> publicUrl, String workspace, String apiKey,
                             Duration idleTimeout, int maxHeaderBytes, int maxInitialLineBytes, long bodyLimitBytes,
                             Duration keepaliveInterval, String upstreamHost, int workerPoolSize,
                             PreviewPorts previewPorts, int authFailuresPerMinute, int maxConnectionsPerIp,
                             int tokenMintsPerMinute, Optional<String> previewDomain, StreamSettings streams,
                             Optional<String> sessionRefusal, boolean accessLog,
                             SessionQuotaDefaults sessionQuotas) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
    public static final int DEFAULT_MAX_INITIAL_LINE_BYTES = 4 * 1024;
    public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_WORKER_POOL_SIZE = 32;
    public static final int DEFAULT_AUTH_FAILURES_PER_MINUTE = 100;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 256;
    public static final int DEFAULT_TOKEN_MINTS_PER_MINUTE = 60;

    // The ranges, kept here once: the application's settings parse with them (and say them in --help).
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final int MIN_HEADER_BYTES = 1024;
    public static final int MAX_HEADER_BYTES = 1024 * 1024;
    public static final int MIN_INITIAL_LINE_BYTES = 256;
    public static final int MAX_INITIAL_LINE_BYTES = 1024 * 1024;
    public static final long MIN_BODY_LIMIT_BYTES = 1024;
    public static final long MAX_BODY_LIMIT_BYTES = 1024L * 1024 * 1024;
    public static final Duration MIN_KEEPALIVE_INTERVAL = Duration.ofMillis(10);
    public static final Duration MAX_KEEPALIVE_INTERVAL = Duration.ofMinutes(10);
    public static final int MAX_WORKER_POOL_SIZE = 1024;
    /** The largest of the per-client and per-sandbox rate and connection limits; 0 means no limit. */
    public static final int MAX_CLIENT_LIMIT = 1_000_000;

    private static final Pattern WORKSPACE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** First path segments the broker uses for itself; a workspace cannot take them. */
    private static final Set<String> RESERVED = Set.of("v0", "s", "p");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");
    private static final Pattern PREVIEW_DOMAIN =
            Pattern.compile("(?=.{1,190}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public BrokerSettings {
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(publicUrl, "publicUrl must not be null");
        Objects.requireNonNull(workspace, "workspace must not be null");
        Objects.requireNonNull(apiKey, "apiKey must not be null");
        Objects.requireNonNull(idleTimeout, "idleTimeout must not be null");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval must not be null");
        Objects.requireNonNull(upstreamHost, "upstreamHost must not be null");
        Objects.requireNonNull(previewPorts, "previewPorts must not be null");
        Objects.requireNonNull(previewDomain, "previewDomain must not be null");
        Objects.requireNonNull(streams, "streams must not be null");
        Objects.requireNonNull(sessionRefusal, "sessionRefusal must not be null");
        Objects.requireNonNull(sessionQuotas, "sessionQuotas must not be null");
        sessionRefusal.ifPresent(reason -> {
            if (reason.isBlank() || reason.length() > 1000 || reason.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("sessionRefusal must be a one-line reason of 1-1000 characters");
            }
        });
        previewDomain.ifPresent(d -> {
            if (!PREVIEW_DOMAIN.matcher(d).matches()) {
                throw new IllegalArgumentException("previewDomain '" + d + "' is invalid: give a lowercase host name "
                        + "such as localhost or preview.example.com, without scheme or port");
            }
        });
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("host '" + host + "' is invalid: give an IP address or a host name");
        }
        if (!HOST.matcher(upstreamHost).matches()) {
            throw new IllegalArgumentException("upstreamHost '" + upstreamHost
                    + "' is invalid: give an IP address or a host name");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        publicUrl.ifPresent(BrokerSettings::requirePublicUrl);
        if (!WORKSPACE.matcher(workspace).matches() || RESERVED.contains(workspace)) {
            throw new IllegalArgumentException("workspace '" + workspace + "' is invalid: use 1-63 lowercase letters, "
                    + "digits or '-' (not 'v0', 's' or 'p')");
        }
        if (apiKey.length() < 16 || apiKey.length() > 512 || !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // The key itself is never echoed.
            throw new IllegalArgumentException("apiKey is invalid: give 16-512 printable ASCII characters without spaces");
        }
        if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0 || idleTimeout.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            throw new IllegalArgumentException("idleTimeout " + idleTimeout + " is out of range 1 s - 1 h");
        }
        if (maxHeaderBytes < MIN_HEADER_BYTES || maxHeaderBytes > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes " + maxHeaderBytes + " is out of range 1024-1048576");
        }
        if (maxInitialLineBytes < MIN_INITIAL_LINE_BYTES || maxInitialLineBytes > MAX_INITIAL_LINE_BYTES) {
            throw new IllegalArgumentException("maxInitialLineBytes " + maxInitialLineBytes
                    + " is out of range 256-1048576");
        }
        if (bodyLimitBytes < MIN_BODY_LIMIT_BYTES || bodyLimitBytes > MAX_BODY_LIMIT_BYTES) {
            throw new IllegalArgumentException("bodyLimitBytes " + bodyLimitBytes + " is out of range 1 KiB - 1 GiB");
        }
        if (keepaliveInterval.compareTo(MIN_KEEPALIVE_INTERVAL) < 0
                || keepaliveInterval.compareTo(MAX_KEEPALIVE_INTERVAL) > 0) {
            throw new IllegalArgumentException("keepaliveInterval " + keepaliveInterval + " is out of range 10 ms - 10 min");
        }
        if (keepaliveInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("keepaliveInterval " + keepaliveInterval + " must be shorter than "
                    + "idleTimeout " + idleTimeout + ", or quiet streams would be cut");
        }
        if (workerPoolSize < 1 || workerPoolSize > MAX_WORKER_POOL_SIZE) {
            throw new IllegalArgumentException("workerPoolSize " + workerPoolSize + " is out of range 1-1024");
        }
        if (authFailuresPerMinute < 0 || authFailuresPerMinute > MAX_CLIENT_LIMIT) {
            throw new IllegalArgumentException("authFailuresPerMinute " + authFailuresPerMinute
                    + " is out of range 0-1000000 (0: no limit)");
        }
        if (tokenMintsPerMinute < 0 || tokenMintsPerMinute > MAX_CLIENT_LIMIT) {
            throw new IllegalArgumentException("tokenMintsPerMinute " + tokenMintsPerMinute
                    + " is out of range 0-1000000 (0: no limit)");
        }
        if (maxConnectionsPerIp < 0 || maxConnectionsPerIp > MAX_CLIENT_LIMIT) {
            throw new IllegalArgumentException("maxConnectionsPerIp " + maxConnectionsPerIp
                    + " is out of range 0-1000000 (0: no limit)");
        }
    }

    /** The defaults: {@code 127.0.0.1:8080}, the limits documented on the components, previews on 127.0.0.1. */
    public static BrokerSettings defaults(String apiKey, String workspace) {
        return new BrokerSettings(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), workspace, apiKey, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_INITIAL_LINE_BYTES, DEFAULT_BODY_LIMIT_BYTES,
                DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_HOST, DEFAULT_WORKER_POOL_SIZE, PreviewPorts.path(),
                DEFAULT_AUTH_FAILURES_PER_MINUTE, DEFAULT_MAX_CONNECTIONS_PER_IP,
                DEFAULT_TOKEN_MINTS_PER_MINUTE, Optional.empty(), StreamSettings.defaults(),
                Optional.empty(), true, SessionQuotaDefaults.DEFAULTS);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link BrokerSettings} by name, from the defaults or {@link #toBuilder()}; checked by the record. */
    public static final class Builder {
        private String host;
        private int port;
        private Optional<URI> publicUrl;
        private String workspace;
        private String apiKey;
        private Duration idleTimeout;
        private int maxHeaderBytes;
        private int maxInitialLineBytes;
        private long bodyLimitBytes;
        private Duration keepaliveInterval;
        private String upstreamHost;
        private int workerPoolSize;
        private PreviewPorts previewPorts;
        private int authFailuresPerMinute;
        private int maxConnectionsPerIp;
        private int tokenMintsPerMinute;
        private Optional<String> previewDomain;
        private StreamSettings streams;
        private Optional<String> sessionRefusal;
        private boolean accessLog;
        private SessionQuotaDefaults sessionQuotas;

        private Builder(BrokerSettings from) {
            host = from.host;
            port = from.port;
            publicUrl = from.publicUrl;
            workspace = from.workspace;
            apiKey = from.apiKey;
            idleTimeout = from.idleTimeout;
            maxHeaderBytes = from.maxHeaderBytes;
            maxInitialLineBytes = from.maxInitialLineBytes;
            bodyLimitBytes = from.bodyLimitBytes;
            keepaliveInterval = from.keepaliveInterval;
            upstreamHost = from.upstreamHost;
            workerPoolSize = from.workerPoolSize;
            previewPorts = from.previewPorts;
            authFailuresPerMinute = from.authFailuresPerMinute;
            maxConnectionsPerIp = from.maxConnectionsPerIp;
            tokenMintsPerMinute = from.tokenMintsPerMinute;
            previewDomain = from.previewDomain;
            streams = from.streams;
            sessionRefusal = from.sessionRefusal;
            accessLog = from.accessLog;
            sessionQuotas = from.sessionQuotas;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder publicUrl(Optional<URI> value) {
            publicUrl = value;
            return this;
        }

        public Builder publicUrl(URI value) {
            return publicUrl(Optional.of(value));
        }

        public Builder workspace(String value) {
            workspace = value;
            return this;
        }

        public Builder apiKey(String value) {
            apiKey = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder maxHeaderBytes(int value) {
            maxHeaderBytes = value;
            return this;
        }

        public Builder maxInitialLineBytes(int value) {
            maxInitialLineBytes = value;
            return this;
        }

        public Builder bodyLimitBytes(long value) {
            bodyLimitBytes = value;
            return this;
        }

        public Builder keepaliveInterval(Duration value) {
            keepaliveInterval = value;
            return this;
        }

        public Builder upstreamHost(String value) {
            upstreamHost = value;
            return this;
        }

        public Builder workerPoolSize(int value) {
            workerPoolSize = value;
            return this;
        }

        public Builder previewPorts(PreviewPorts value) {
            previewPorts = value;
            return this;
        }

        public Builder authFailuresPerMinute(int value) {
            authFailuresPerMinute = value;
            return this;
        }

        public Builder maxConnectionsPerIp(int value) {
            maxConnectionsPerIp = value;
            return this;
        }

        public Builder tokenMintsPerMinute(int value) {
            tokenMintsPerMinute = value;
            return this;
        }

        public Builder previewDomain(Optional<String> value) {
            previewDomain = value;
            return this;
        }

        public Builder previewDomain(String value) {
            return previewDomain(Optional.of(value));
        }

        public Builder streams(StreamSettings value) {
            streams = value;
            return this;
        }

        public Builder sessionRefusal(Optional<String> value) {
            sessionRefusal = value;
            return this;
        }

        /** Session URLs refuse session tokens, with {@code reason} (see the record's comment). */
        public Builder sessionRefusal(String value) {
            return sessionRefusal(Optional.of(value));
        }

        public Builder accessLog(boolean value) {
            accessLog = value;
            return this;
        }

        public Builder sessionQuotas(SessionQuotaDefaults value) {
            sessionQuotas = value;
            return this;
        }

        public BrokerSettings build() {
            return new BrokerSettings(host, port, publicUrl, workspace, apiKey, idleTimeout, maxHeaderBytes,
                    maxInitialLineBytes, bodyLimitBytes, keepaliveInterval, upstreamHost, workerPoolSize, previewPorts,
                    authFailuresPerMinute, maxConnectionsPerIp, tokenMintsPerMinute, previewDomain, streams,
                    sessionRefusal, accessLog, sessionQuotas);
        }
    }

    @Override
    public String toString() {
        return "BrokerSettings[host=" + host + ", port=" + port + ", publicUrl=" + publicUrl + ", workspace="
                + workspace + ", apiKey=***, idleTimeout=" + idleTimeout + ", maxHeaderBytes=" + maxHeaderBytes
                + ", maxInitialLineBytes=" + maxInitialLineBytes + ", bodyLimitBytes=" + bodyLimitBytes
                + ", keepaliveInterval=" + keepaliveInterval + ", upstreamHost=" + upstreamHost
                + ", workerPoolSize=" + workerPoolSize + ", previewPorts=" + previewPorts
                + ", authFailuresPerMinute=" + authFailuresPerMinute + ", maxConnectionsPerIp=" + maxConnectionsPerIp
                + ", tokenMintsPerMinute=" + tokenMintsPerMinute + ", previewDomain=" + previewDomain + ", streams=" + streams
                + ", sessionsRefused=" + sessionRefusal.isPresent() + ", accessLog=" + accessLog + ", sessionQuotas=" + sessionQuotas + "]";
    }

    private static void requirePublicUrl(URI url) {
        String scheme = url.getScheme();
        if (!url.isAbsolute() || url.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("publicUrl '" + url + "' is invalid: give an absolute http(s) URL "
                    + "without user info, query or fragment");
        }
    }
}
