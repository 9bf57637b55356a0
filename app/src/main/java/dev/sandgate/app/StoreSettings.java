package dev.sandgate.app;

import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.redis.RedisEndpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where previews, tokens and sessions live, and the key their token values are derived from.
 *
 * @param kind         the embedded file store (the default) or the Redis store every broker of a cluster shares
 * @param redis        where Redis is; present exactly for {@link Kind#REDIS}
 * @param tokenKeyFile the token key (32 random bytes, created {@code 0600} by the first broker that finds it
 *                     missing); every broker of a cluster must point at the same key
 * @param fileSync     the file store's: which changes are on the disk before they are answered
 *                     ({@link FileAccessStore.Sync}; by default those that take access away)
 */
public record StoreSettings(Kind kind, Optional<RedisEndpoint> redis, Path tokenKeyFile,
                            FileAccessStore.Sync fileSync) {
    /** The kinds of store. */
    public enum Kind {
        FILE, REDIS;

        static Kind parse(String value) {
            String normalised = value.trim().toLowerCase(Locale.ROOT);
            for (Kind kind : values()) {
                if (kind.key().equals(normalised)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a store; use 'file' or 'redis'");
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StoreSettings {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(redis, "redis must not be null");
        Objects.requireNonNull(tokenKeyFile, "tokenKeyFile must not be null");
        Objects.requireNonNull(fileSync, "fileSync must not be null");
        if ((kind == Kind.REDIS) != redis.isPresent()) {
            throw new IllegalArgumentException(kind == Kind.REDIS ? "the redis store needs a Redis URL"
                    : "a Redis URL is only for the redis store");
        }
        if (!tokenKeyFile.isAbsolute()) {
            throw new IllegalArgumentException("tokenKeyFile " + tokenKeyFile + " must be absolute");
        }
    }

    public static StoreSettings file(Path tokenKeyFile) {
        return new StoreSettings(Kind.FILE, Optional.empty(), tokenKeyFile, FileAccessStore.Sync.REVOCATIONS);
    }

    public static StoreSettings redis(RedisEndpoint endpoint, Path tokenKeyFile) {
        return new StoreSettings(Kind.REDIS, Optional.of(endpoint), tokenKeyFile, FileAccessStore.Sync.REVOCATIONS);
    }

    /** The same, with the token key in {@code keyFile}. */
    public StoreSettings withTokenKeyFile(Path keyFile) {
        return new StoreSettings(kind, redis, keyFile, fileSync);
    }

    /** The same, with the file store's {@code sync}. */
    public StoreSettings withFileSync(FileAccessStore.Sync sync) {
        return new StoreSettings(kind, redis, tokenKeyFile, sync);
    }

    /** {@code revocations} or {@code always}, as {@code --file-store-sync} takes them. */
    static FileAccessStore.Sync parseSync(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "revocations" -> FileAccessStore.Sync.REVOCATIONS;
            case "always" -> FileAccessStore.Sync.EVERY_CHANGE;
            default -> throw new IllegalArgumentException("'" + value + "' is not a file store sync; use "
                    + "'revocations' or 'always'");
        };
    }

    @Override
    public String toString() {
        return "StoreSettings[" + kind.key() + redis.map(r -> " at " + r.describe()
                + (r.password().isPresent() ? " with a password" : "")).orElse("") + ", tokenKeyFile=" + tokenKeyFile
                + (kind == Kind.FILE ? ", fileSync=" + fileSync : "") + "]";
    }
}
