package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.vertx.BrokerMetrics;
import dev.sandgate.adapter.vertx.BrokerSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Objects;

/**
 * What every other module stands on: the settings, the API key, the clock, the program's {@link Lifecycle} and its
 * metrics.
 */
public final class CoreModule extends AbstractModule {
    private final AppSettings settings;
    private final ApiKey apiKey;
    private final Clock clock;
    private final Lifecycle lifecycle;

    public CoreModule(AppSettings settings, ApiKey apiKey, Clock clock, Lifecycle lifecycle) {
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle must not be null");
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        bind(AppSettings.class).toInstance(settings);
        bind(ApiKey.class).toInstance(apiKey);
        bind(Clock.class).toInstance(clock);
        bind(Lifecycle.class).toInstance(lifecycle);
    }

    /** The broker's settings: where it listens, its workspace and key, its limits. */
    @Provides
    @Singleton
    static BrokerSettings brokerSettings(AppSettings settings, ApiKey apiKey) {
        BrokerLimits limits = settings.broker();
        // whether sessions are refused depends on the gateway: BrokerModule applies its SessionRefusal
        return BrokerSettings.defaults(apiKey.value(), settings.workspace()).toBuilder()
                .host(settings.host())
                .port(settings.port())
                .publicUrl(settings.publicUrl())
                .idleTimeout(limits.idleTimeout())
                .maxHeaderBytes(limits.maxHeaderBytes())
                .maxInitialLineBytes(limits.maxInitialLineBytes())
                .bodyLimitBytes(limits.bodyLimitBytes())
                .keepaliveInterval(limits.keepaliveInterval())
                .upstreamHost(limits.upstreamHost())
                .workerPoolSize(limits.workerPoolSize())
                .previewPorts(limits.previewPorts())
                .authFailuresPerMinute(limits.authFailuresPerMinute())
                .maxConnectionsPerIp(limits.maxConnectionsPerIp())
                .tokenMintsPerMinute(limits.tokenMintsPerMinute())
                .previewDomain(limits.previewDomain())
                .streams(dev.sandgate.adapter.vertx.StreamSettings.defaults().toBuilder()
                        .maxBufferedBytes(limits.streamBufferBytes())
                        .tunnelIdleTimeout(limits.tunnelIdleTimeout())
                        .build())
                .accessLog(limits.accessLog())
                .sessionQuotas(limits.sessionQuotas())
                .build();
    }

    /** The program's metrics, kept only when the admin listener (which serves them) is set. */
    @Provides
    @Singleton
    static java.util.Optional<BrokerMetrics> metrics(AppSettings settings) {
        return settings.broker().adminListen().map(admin ->
                BrokerMetrics.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    }
}
