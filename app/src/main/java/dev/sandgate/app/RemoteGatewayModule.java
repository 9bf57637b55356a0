package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.usecase.BrokeredSandboxGateway;
import java.time.Clock;
import okhttp3.OkHttpClient;

/**
 * The remote gateway: a broker that fronts another broker, or Blaxel's hosted API, with sessions of its own. Compute
 * (sandboxes, processes, files) comes from the {@link Upstream} over HTTP ({@link SandgateClient}, with the upstream's
 * API key, which only this module holds); previews and tokens, and so sessions, are this broker's own, kept in a
 * {@link FileAccessStore} in its data directory, where the broker checks them too. Sandbox and preview URLs are this
 * broker's ({@link UrlScheme}), so clients never talk to the upstream.
 *
 * <p>Application previews are proxied to {@code upstream-host} and the preview's port ({@code 127.0.0.1} by default),
 * which is right when the provider runs on this machine; for a provider on another machine set {@code upstream-host}
 * to its host.
 */
public final class RemoteGatewayModule extends AbstractModule {

    @Override
    protected void configure() {
        // Nothing is created behind the wiring's back: every type comes from a module, or creation fails naming it.
        binder().requireExplicitBindings();
    }

    @Provides
    @Singleton
    static Upstream upstream(AppSettings settings) {
        return settings.upstream().orElseThrow(() -> new ConfigurationException(
                "the remote gateway needs an upstream: set " + Setting.UPSTREAM_URL.env() + " and "
                        + Setting.UPSTREAM_API_KEY_FILE.env() + " (or " + Setting.UPSTREAM_API_KEY.env() + ")"));
    }

    /** The upstream's client; its connections and threads are released at shutdown. */
    @Provides
    @Singleton
    static SandgateClient upstreamClient(Upstream upstream, Lifecycle lifecycle) {
        OkHttpClient http = new OkHttpClient();
        lifecycle.register("the upstream's HTTP client", () -> {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        });
        return SandgateClient.builder()
                .baseUrl(upstream.url().toString())
                .workspace(upstream.workspace())
                .apiKey(upstream.apiKey())
                .okHttpClient(http)
                .build();
    }

    /** This broker's previews and tokens, as the local gateway keeps them: {@code <data-dir>/access}. */
    @Provides
    @Singleton
    static AccessStore accessStore(AppSettings settings) {
        LocalSettings layout = LocalSettings.defaults(settings.dataDir());
        return FileAccessStore.open(layout.accessDir(), layout.secretKeyFile(), layout.durableWrites());
    }

    @Provides
    @Singleton
    static SandboxGateway gateway(SandgateClient upstream, AccessStore access, UrlScheme urls, Clock clock) {
        return new BrokeredSandboxGateway(upstream.gateway(), access, urls, clock);
    }
}
