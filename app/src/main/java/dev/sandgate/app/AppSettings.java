package dev.sandgate.app;

import dev.sandgate.adapter.local.limits.SandboxLimits;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The program's configuration, every value parsed and range-checked (by {@link SettingsLoader}, which names the source
 * of a bad value). Neither API key (this broker's, the upstream's) ever appears in {@link #toString()}.
 *
 * @param upstream     what the {@link GatewayKind#REMOTE remote} gateway fronts; present exactly for that gateway
 * @param apiKey       the configured key; empty means "use or generate {@code <dataDir>/api-key}"
 * @param allowUnisolatedSessions whether session tokens are served although sandbox processes run without isolation
 *                     (see {@link Setting#ALLOW_UNISOLATED_SESSIONS}); without it the broker refuses them there
 * @param maxFileBytes the largest file the local runtime reads or writes in one piece
 * @param limits       what each local sandbox may use besides its memory: processes, CPU, disk
 * @param network      the network of each isolated sandbox ({@code isolated} or {@code egress})
 * @param configFile   the properties file the settings were read from, if any
 * @param store        where previews, tokens and sessions live, and the token key
 */
public record AppSettings(GatewayKind gateway, Optional<Upstream> upstream, String host, int port,
                          Optional<URI> publicUrl, Path dataDir, Optional<String> apiKey, String workspace,
                          IsolationMode isolation, boolean allowUnisolatedSessions, BrokerLimits broker, ProcessSettings processes, long maxFileBytes,
                          SandboxLimits limits, NetworkMode network, Optional<Path> configFile, StoreSettings store) {

    public AppSettings {
        Objects.requireNonNull(gateway, "gateway must not be null");
        Objects.requireNonNull(upstream, "upstream must not be null");
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(publicUrl, "publicUrl must not be null");
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        Objects.requireNonNull(apiKey, "apiKey must not be null");
        Objects.requireNonNull(workspace, "workspace must not be null");
        Objects.requireNonNull(isolation, "isolation must not be null");
        Objects.requireNonNull(network, "network must not be null");
        Objects.requireNonNull(broker, "broker must not be null");
        Objects.requireNonNull(processes, "processes must not be null");
        Objects.requireNonNull(limits, "limits must not be null");
        Objects.requireNonNull(configFile, "configFile must not be null");
        Objects.requireNonNull(store, "store must not be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        if (gateway == GatewayKind.REMOTE && upstream.isEmpty()) {
            throw new IllegalArgumentException("the remote gateway needs an upstream (its URL and API key)");
        }
        if (gateway != GatewayKind.REMOTE && upstream.isPresent()) {
            throw new IllegalArgumentException("an upstream is only for the remote gateway, not '" + gateway.key()
                    + "'");
        }
        if (!dataDir.isAbsolute()) {
            throw new IllegalArgumentException("dataDir " + dataDir + " must be absolute");
        }
    }

    /** Settings with the embedded file store and its key at {@code <dataDir>/secret.key}. */
    public AppSettings(GatewayKind gateway, Optional<Upstream> upstream, String host, int port,
                       Optional<URI> publicUrl, Path dataDir, Optional<String> apiKey, String workspace,
                       IsolationMode isolation, boolean allowUnisolatedSessions, BrokerLimits broker,
                       ProcessSettings processes, long maxFileBytes, SandboxLimits limits, Optional<Path> configFile) {
        this(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation, allowUnisolatedSessions,
                broker, processes, maxFileBytes, limits, NetworkMode.ISOLATED, configFile,
                StoreSettings.file(dataDir.resolve("secret.key")));
    }

    /**
     * The defaults, as the program has them with no flag, no variable and no file, over {@code dataDir}: local
     * sandboxes, {@code 127.0.0.1:8080}, workspace {@code default}, isolation {@code auto}, a generated key.
     */
    public static AppSettings defaults(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        Path absolute = dataDir.toAbsolutePath();
        Invocation.Run run = (Invocation.Run) SettingsLoader.create(absolute, absolute)
                .load(java.util.List.of(Setting.DATA_DIR.flag() + "=" + absolute), java.util.Map.of());
        return run.settings();
    }

    /** The same settings listening on another port (tests use 0). */
    public AppSettings withPort(int port) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings with a configured API key. */
    public AppSettings withApiKey(String apiKey) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, Optional.of(apiKey), workspace,
                isolation, allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings with another process isolation. */
    public AppSettings withIsolation(IsolationMode isolation) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings with session tokens served, or not, although processes run without isolation. */
    public AppSettings withAllowUnisolatedSessions(boolean allow) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation, allow,
                broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings with another network for isolated sandboxes. */
    public AppSettings withNetwork(NetworkMode network) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings serving another workspace. */
    public AppSettings withWorkspace(String workspace) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings on the remote gateway, fronting {@code upstream}. */
    public AppSettings withRemote(Upstream upstream) {
        return new AppSettings(GatewayKind.REMOTE, Optional.of(upstream), host, port, publicUrl, dataDir, apiKey,
                workspace, isolation, allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings with another store (file or Redis) and token key. */
    public AppSettings withStore(StoreSettings store) {
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store);
    }

    /** The same settings over another data directory (a token key kept in the old one follows it). */
    public AppSettings withDataDir(Path dataDir) {
        StoreSettings moved = store.tokenKeyFile().equals(this.dataDir.resolve("secret.key"))
                ? store.withTokenKeyFile(dataDir.resolve("secret.key")) : store;
        return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, moved);
    }

    @Override
    public String toString() {
        return "AppSettings[gateway=" + gateway.key() + ", upstream=" + upstream + ", host=" + host + ", port=" + port
                + ", publicUrl=" + publicUrl
                + ", dataDir=" + dataDir + ", apiKey=" + (apiKey.isPresent() ? "***" : "(from the key file)")
                + ", workspace=" + workspace + ", isolation=" + isolation.wireName() + ", network=" + network.wireName()
                + ", allowUnisolatedSessions=" + allowUnisolatedSessions + ", broker=" + broker
                + ", processes=" + processes + ", maxFileBytes=" + maxFileBytes + ", limits=" + limits + ", configFile=" + configFile
                + ", store=" + store + "]";
    }
}
