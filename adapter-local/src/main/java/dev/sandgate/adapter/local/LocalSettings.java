package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.ports.UrlScheme;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the local runtime.
 * <ul>
 * <li>{@code dataDir}: where sandboxes, previews and tokens live (default {@code ~/.sandgate}); made absolute.</li>
 * <li>{@code maxFileBytes}: the largest file read or written in one piece, default {@value #DEFAULT_MAX_FILE_BYTES}
 * bytes (5 MiB: the wire protocol's SDK sends larger files through the multipart routes); 1 byte to
 * {@value #MAX_FILE_BYTES_LIMIT} bytes, because a file is held in memory whole.</li>
 * <li>{@code processes} and {@code isolation}: how processes run (default {@link IsolationMode#AUTO}: bubblewrap
 * when present).</li>
 * <li>{@code network}: the network of each isolated sandbox (default {@link NetworkMode#ISOLATED}: a namespace of
 * its own with only its loopback; {@link NetworkMode#EGRESS} adds a route out, never to the host's loopback); see
 * {@link dev.sandgate.adapter.local.process.SandboxNetwork}. Without isolation the host's network is shared.</li>
 * <li>{@code urls}: the URLs reported for sandboxes and previews (default: the broker's default address,
 * {@code http://127.0.0.1:8080}, workspace {@value #DEFAULT_WORKSPACE}).</li>
 * <li>{@code secretKeyFile}: the key from which token values are derived (default {@code <dataDir>/secret.key});
 * an operator may keep it outside the data directory, so that a copy of that directory is worth nothing.</li>
 * <li>{@code durableWrites}: whether each metadata write is flushed to the disk ({@code fsync}) before it is
 * renamed into place (default true). Writes are atomic either way; without it a power cut may lose the latest
 * changes. Only for tests and benchmarks.</li>
 * <li>{@code limits}: what each sandbox may use besides its {@code memory} (processes, CPU, disk; see
 * {@link SandboxLimits}).</li>
 * </ul>
 */
public record LocalSettings(Path dataDir, long maxFileBytes, ProcessSettings processes, IsolationMode isolation,
                            UrlScheme urls, Path secretKeyFile, boolean durableWrites, SandboxLimits limits,
                            NetworkMode network) {
    public static final long DEFAULT_MAX_FILE_BYTES = 5L * 1024 * 1024;
    public static final long MAX_FILE_BYTES_LIMIT = 512L * 1024 * 1024;
    public static final String DEFAULT_WORKSPACE = "local";
    public static final URI DEFAULT_BASE_URL = URI.create("http://127.0.0.1:8080");

    public LocalSettings {
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        Objects.requireNonNull(processes, "processes must not be null");
        Objects.requireNonNull(isolation, "isolation must not be null");
        Objects.requireNonNull(urls, "urls must not be null");
        Objects.requireNonNull(secretKeyFile, "secretKeyFile must not be null");
        Objects.requireNonNull(limits, "limits must not be null");
        Objects.requireNonNull(network, "network must not be null");
        if (maxFileBytes < 1 || maxFileBytes > MAX_FILE_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxFileBytes " + maxFileBytes + " is out of range 1-"
                    + MAX_FILE_BYTES_LIMIT);
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        secretKeyFile = secretKeyFile.toAbsolutePath().normalize();
        if (secretKeyFile.equals(dataDir)) {
            throw new IllegalArgumentException("secretKeyFile must be a file, not the data directory itself");
        }
    }

    /** The default data directory, {@code ~/.sandgate}: under {@code $HOME} when set, else the JVM's user home. */
    public static Path defaultDataDir() {
        String home = System.getenv("HOME");
        return Path.of(home != null && home.startsWith("/") ? home : System.getProperty("user.home"), ".sandgate");
    }

    /** Defaults over {@link #defaultDataDir()}. */
    public static LocalSettings defaults() {
        return defaults(defaultDataDir());
    }

    /** Defaults over the given data directory. */
    public static LocalSettings defaults(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        return new LocalSettings(dataDir, DEFAULT_MAX_FILE_BYTES, ProcessSettings.defaults(), IsolationMode.AUTO,
                UrlScheme.under(DEFAULT_BASE_URL, DEFAULT_WORKSPACE), dataDir.resolve("secret.key"), true,
                SandboxLimits.defaults(), NetworkMode.ISOLATED);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link LocalSettings} by name, from the defaults or {@link #toBuilder()}; checked by the record. */
    public static final class Builder {
        private Path dataDir;
        private long maxFileBytes;
        private ProcessSettings processes;
        private IsolationMode isolation;
        private UrlScheme urls;
        private Path secretKeyFile;
        private boolean durableWrites;
        private SandboxLimits limits;
        private NetworkMode network;

        private Builder(LocalSettings from) {
            dataDir = from.dataDir;
            maxFileBytes = from.maxFileBytes;
            processes = from.processes;
            isolation = from.isolation;
            urls = from.urls;
            secretKeyFile = from.secretKeyFile;
            durableWrites = from.durableWrites;
            limits = from.limits;
            network = from.network;
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder maxFileBytes(long value) {
            maxFileBytes = value;
            return this;
        }

        public Builder processes(ProcessSettings value) {
            processes = value;
            return this;
        }

        public Builder isolation(IsolationMode value) {
            isolation = value;
            return this;
        }

        public Builder urls(UrlScheme value) {
            urls = value;
            return this;
        }

        public Builder secretKeyFile(Path value) {
            secretKeyFile = value;
            return this;
        }

        public Builder durableWrites(boolean value) {
            durableWrites = value;
            return this;
        }

        public Builder limits(SandboxLimits value) {
            limits = value;
            return this;
        }

        public Builder network(NetworkMode value) {
            network = value;
            return this;
        }

        public LocalSettings build() {
            return new LocalSettings(dataDir, maxFileBytes, processes, isolation, urls, secretKeyFile, durableWrites,
                    limits, network);
        }
    }

    /** Where the sandboxes live: {@code <dataDir>/sandboxes}. */
    public Path sandboxesDir() {
        return dataDir.resolve("sandboxes");
    }

    /** Where image templates are looked up: {@code <dataDir>/images}. */
    public Path imagesDir() {
        return dataDir.resolve("images");
    }

    /** Where previews and tokens live: {@code <dataDir>/access}. */
    public Path accessDir() {
        return dataDir.resolve("access");
    }
}
