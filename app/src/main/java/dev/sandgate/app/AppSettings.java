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
 * @param node         the node id, URL and heartbeat of a broker in a cluster
 * @param audit        the audit trail's retention, queue and webhook
 */
public record AppSettings(GatewayKind gateway, Optional<Upstream> upstream, String host, int port,
                          Optional<URI> publicUrl, Path dataDir, Optional<String> apiKey, String workspace,
                          IsolationMode isolation, boolean allowUnisolatedSessions, BrokerLimits broker, ProcessSettings processes, long maxFileBytes,
                          SandboxLimits limits, NetworkMode network, Optional<Path> configFile, StoreSettings store,
                          NodeSettings node, AuditSettings audit) {

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
        Objects.requireNonNull(node, "node must not be null");
        Objects.requireNonNull(audit, "audit must not be null");
        if (gateway == GatewayKind.CLUSTER && store.kind() != StoreSettings.Kind.REDIS) {
            throw new IllegalArgumentException("the cluster gateway needs the redis store, which holds the nodes");
        }
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

    /** As the canonical constructor, with the {@link AuditSettings#defaults() default audit settings}. */
    public AppSettings(GatewayKind gateway, Optional<Upstream> upstream, String host, int port,
                       Optional<URI> publicUrl, Path dataDir, Optional<String> apiKey, String workspace,
                       IsolationMode isolation, boolean allowUnisolatedSessions, BrokerLimits broker,
                       ProcessSettings processes, long maxFileBytes, SandboxLimits limits, NetworkMode network,
                       Optional<Path> configFile, StoreSettings store, NodeSettings node) {
        this(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation, allowUnisolatedSessions,
                broker, processes, maxFileBytes, limits, network, configFile, store, node, AuditSettings.defaults());
    }

    /** As the canonical constructor, with the {@link NodeSettings#defaults() default node settings}. */
    public AppSettings(GatewayKind gateway, Optional<Upstream> upstream, String host, int port,
                       Optional<URI> publicUrl, Path dataDir, Optional<String> apiKey, String workspace,
                       IsolationMode isolation, boolean allowUnisolatedSessions, BrokerLimits broker,
                       ProcessSettings processes, long maxFileBytes, SandboxLimits limits, NetworkMode network,
                       Optional<Path> configFile, StoreSettings store) {
        this(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation, allowUnisolatedSessions,
                broker, processes, maxFileBytes, limits, network, configFile, store, NodeSettings.defaults());
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

    /** A builder with nothing set but the optional values (empty) and the switches (off); see {@link #toBuilder()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings: {@code defaults(dir).toBuilder().port(0).build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.gateway = gateway;
        b.upstream = upstream;
        b.host = host;
        b.port = port;
        b.publicUrl = publicUrl;
        b.dataDir = dataDir;
        b.apiKey = apiKey;
        b.workspace = workspace;
        b.isolation = isolation;
        b.allowUnisolatedSessions = allowUnisolatedSessions;
        b.broker = broker;
        b.processes = processes;
        b.maxFileBytes = maxFileBytes;
        b.limits = limits;
        b.network = network;
        b.configFile = configFile;
        b.store = store;
        b.node = node;
        b.audit = audit;
        return b;
    }

    /** Builds {@link AppSettings} by name; {@link #build()} checks them as the record does. Not thread-safe. */
    public static final class Builder {
        private GatewayKind gateway = GatewayKind.LOCAL;
        private Optional<Upstream> upstream = Optional.empty();
        private String host;
        private int port;
        private Optional<URI> publicUrl = Optional.empty();
        private Path dataDir;
        private Optional<String> apiKey = Optional.empty();
        private String workspace;
        private IsolationMode isolation;
        private boolean allowUnisolatedSessions;
        private BrokerLimits broker;
        private ProcessSettings processes;
        private long maxFileBytes;
        private SandboxLimits limits;
        private NetworkMode network = NetworkMode.ISOLATED;
        private Optional<Path> configFile = Optional.empty();
        private StoreSettings store;
        private NodeSettings node = NodeSettings.defaults();
        private AuditSettings audit = AuditSettings.defaults();

        private Builder() {
        }

        public Builder gateway(GatewayKind gateway) {
            this.gateway = gateway;
            return this;
        }

        public Builder upstream(Optional<Upstream> upstream) {
            this.upstream = upstream;
            return this;
        }

        /** The remote gateway, fronting {@code upstream}. */
        public Builder remote(Upstream upstream) {
            this.gateway = GatewayKind.REMOTE;
            this.upstream = Optional.of(upstream);
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port to listen on; tests use 0. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder publicUrl(Optional<URI> publicUrl) {
            this.publicUrl = publicUrl;
            return this;
        }

        /**
         * The data directory. A token key kept in the old one ({@code <dataDir>/secret.key}) follows it; a key file
         * set elsewhere stays where it is.
         */
        public Builder dataDir(Path dataDir) {
            if (store != null && this.dataDir != null && store.tokenKeyFile().equals(this.dataDir.resolve("secret.key"))) {
                store = store.withTokenKeyFile(dataDir.resolve("secret.key"));
            }
            this.dataDir = dataDir;
            return this;
        }

        public Builder apiKey(Optional<String> apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder apiKey(String apiKey) {
            return apiKey(Optional.of(apiKey));
        }

        public Builder workspace(String workspace) {
            this.workspace = workspace;
            return this;
        }

        public Builder isolation(IsolationMode isolation) {
            this.isolation = isolation;
            return this;
        }

        /** Whether session tokens are served although processes run without isolation. */
        public Builder allowUnisolatedSessions(boolean allow) {
            this.allowUnisolatedSessions = allow;
            return this;
        }

        public Builder broker(BrokerLimits broker) {
            this.broker = broker;
            return this;
        }

        public Builder processes(ProcessSettings processes) {
            this.processes = processes;
            return this;
        }

        public Builder maxFileBytes(long maxFileBytes) {
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        public Builder limits(SandboxLimits limits) {
            this.limits = limits;
            return this;
        }

        /** The network of isolated sandboxes. */
        public Builder network(NetworkMode network) {
            this.network = network;
            return this;
        }

        public Builder configFile(Optional<Path> configFile) {
            this.configFile = configFile;
            return this;
        }

        /** The store (file or Redis) and the token key. */
        public Builder store(StoreSettings store) {
            this.store = store;
            return this;
        }

        /** The node id, URL and heartbeat of a broker in a cluster. */
        public Builder node(NodeSettings node) {
            this.node = node;
            return this;
        }

        /** The audit trail's retention, queue and webhook. */
        public Builder audit(AuditSettings audit) {
            this.audit = audit;
            return this;
        }

        public AppSettings build() {
            return new AppSettings(gateway, upstream, host, port, publicUrl, dataDir, apiKey, workspace, isolation,
                    allowUnisolatedSessions, broker, processes, maxFileBytes, limits, network, configFile, store, node,
                    audit);
        }
    }

    @Override
    public String toString() {
        return "AppSettings[gateway=" + gateway.key() + ", upstream=" + upstream + ", host=" + host + ", port=" + port
                + ", publicUrl=" + publicUrl
                + ", dataDir=" + dataDir + ", apiKey=" + (apiKey.isPresent() ? "***" : "(from the key file)")
                + ", workspace=" + workspace + ", isolation=" + isolation.wireName() + ", network=" + network.wireName()
                + ", allowUnisolatedSessions=" + allowUnisolatedSessions + ", broker=" + broker
                + ", processes=" + processes + ", maxFileBytes=" + maxFileBytes + ", limits=" + limits + ", configFile=" + configFile
                + ", store=" + store + ", node=" + node + ", audit=" + audit + "]";
    }
}
