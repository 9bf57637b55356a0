package dev.sandgate.adapter.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the shared store is: {@code redis://host:port[/db]} (or {@code rediss://} for TLS, peer verified), the
 * password (read from a file by the caller; never in the URL, never printed) and how long one command may take.
 */
public record RedisEndpoint(String host, int port, int database, boolean tls, Optional<String> password,
                            Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public RedisEndpoint {
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(password, "password must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the Redis host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the Redis port " + port + " is out of range 1-65535");
        }
        if (database < 0 || database > 1023) {
            throw new IllegalArgumentException("the Redis database " + database + " is out of range 0-1023");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the Redis timeout must be positive");
        }
    }

    /**
     * Parses {@code redis://host[:port][/db]} or {@code rediss://...}; the port defaults to 6379 and the database to
     * 0. A URL carrying a user or password is refused: the password comes from a file, so it never shows in ps.
     */
    public static RedisEndpoint parse(String url, Optional<String> password) {
        Objects.requireNonNull(url, "url must not be null");
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw new IllegalArgumentException("give redis://host:port[/db] or rediss://host:port[/db]");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the URL must not hold a user or password: put the password in the "
                    + "file of redis-password-file");
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("give redis://host:port[/db], without query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int database = 0;
        if (!path.isEmpty() && !path.equals("/")) {
            if (!path.matches("/\\d{1,4}")) {
                throw new IllegalArgumentException("the path must be a database number, e.g. /0");
            }
            database = Integer.parseInt(path.substring(1));
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        return new RedisEndpoint(host, uri.getPort() < 0 ? 6379 : uri.getPort(), database, scheme.equals("rediss"),
                password, DEFAULT_TIMEOUT);
    }

    /** Where it is, for messages: never the password. */
    public String describe() {
        return (tls ? "rediss://" : "redis://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + database;
    }

    @Override
    public String toString() {
        return "RedisEndpoint[" + describe() + (password.isPresent() ? ", password=***" : "") + ", timeout="
                + timeout + "]";
    }
}
