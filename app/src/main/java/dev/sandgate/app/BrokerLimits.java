package dev.sandgate.app;

import dev.sandgate.adapter.vertx.PreviewPorts;
import dev.sandgate.adapter.vertx.SessionQuotaDefaults;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker's connection and size limits, where it serves application previews and its admin listener, as
 * configured (see {@link Setting} for their ranges), whether each request gets an access-log line, and the quotas of
 * a session that sets none of its own.
 */
public record BrokerLimits(Duration idleTimeout, long bodyLimitBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration keepaliveInterval, int workerPoolSize, String upstreamHost,
                           PreviewPorts previewPorts, int authFailuresPerMinute, int maxConnectionsPerIp,
                           int tokenMintsPerMinute, Optional<String> previewDomain, long streamBufferBytes,
                           Duration tunnelIdleTimeout, Optional<AdminListen> adminListen, boolean accessLog,
                           SessionQuotaDefaults sessionQuotas) {
    public BrokerLimits {
        Objects.requireNonNull(sessionQuotas, "sessionQuotas must not be null");
        Objects.requireNonNull(idleTimeout, "idleTimeout must not be null");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval must not be null");
        Objects.requireNonNull(upstreamHost, "upstreamHost must not be null");
        Objects.requireNonNull(previewPorts, "previewPorts must not be null");
        Objects.requireNonNull(previewDomain, "previewDomain must not be null");
        Objects.requireNonNull(tunnelIdleTimeout, "tunnelIdleTimeout must not be null");
        Objects.requireNonNull(adminListen, "adminListen must not be null");
    }

    /** A builder with nothing set; {@link Builder#build()} checks what the record needs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link BrokerLimits} by name: most of them are numbers, easy to swap by position. */
    public static final class Builder {
        private Duration idleTimeout;
        private long bodyLimitBytes;
        private int maxHeaderBytes;
        private int maxInitialLineBytes;
        private Duration keepaliveInterval;
        private int workerPoolSize;
        private String upstreamHost;
        private PreviewPorts previewPorts;
        private int authFailuresPerMinute;
        private int maxConnectionsPerIp;
        private int tokenMintsPerMinute;
        private Optional<String> previewDomain;
        private long streamBufferBytes;
        private Duration tunnelIdleTimeout;
        private Optional<AdminListen> adminListen = Optional.empty();
        private boolean accessLog = true;
        private SessionQuotaDefaults sessionQuotas = SessionQuotaDefaults.DEFAULTS;

        private Builder() {
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder bodyLimitBytes(long value) {
            bodyLimitBytes = value;
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

        public Builder keepaliveInterval(Duration value) {
            keepaliveInterval = value;
            return this;
        }

        public Builder workerPoolSize(int value) {
            workerPoolSize = value;
            return this;
        }

        public Builder upstreamHost(String value) {
            upstreamHost = value;
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

        public Builder streamBufferBytes(long value) {
            streamBufferBytes = value;
            return this;
        }

        public Builder tunnelIdleTimeout(Duration value) {
            tunnelIdleTimeout = value;
            return this;
        }

        public Builder adminListen(Optional<AdminListen> value) {
            adminListen = value;
            return this;
        }

        public Builder accessLog(boolean value) {
            accessLog = value;
            return this;
        }

        public Builder sessionQuotas(SessionQuotaDefaults value) {
            sessionQuotas = value;
            return this;
        }

        public BrokerLimits build() {
            return new BrokerLimits(idleTimeout, bodyLimitBytes, maxHeaderBytes, maxInitialLineBytes, keepaliveInterval, workerPoolSize, upstreamHost, previewPorts, authFailuresPerMinute, maxConnectionsPerIp, tokenMintsPerMinute, previewDomain, streamBufferBytes, tunnelIdleTimeout, adminListen, accessLog, sessionQuotas);
        }
    }
}
