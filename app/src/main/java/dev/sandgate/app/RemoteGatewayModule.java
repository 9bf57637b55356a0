package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.adapter.vertx.Cluster;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.usecase.BrokeredSandboxGateway;
import java.time.Clock;
import java.util.Optional;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The remote gateway: a broker that fronts another broker, or Blaxel's hosted API, with sessions of its own. Compute
 * (sandboxes, processes, files) comes from the {@link Upstream} over HTTP ({@link SandgateClient}, with the upstream's
 * API key, which only this module holds); previews and tokens, and so sessions, are this broker's own, kept in a
 * store {@link StoreModule} chooses (by default a {@link FileAccessStore} in its data directory), where the broker checks
 * them too. Sandbox and preview URLs are this
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
        install(new StoreModule()); // previews, tokens and sessions: the file store or Redis
    }

    /** A broker of its own, not of a cluster. */
    @Provides
    @Singleton
    static Optional<Cluster> cluster() {
        return Optional.empty();
    }

    /** The upstream runs the processes and answers for their isolation: sessions are served. */
    @Provides
    @Singleton
    static SessionRefusal sessionRefusal() {
        return SessionRefusal.none();
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
        OkHttpClient http = new OkHttpClient.Builder().addInterceptor(RemoteGatewayModule::upstreamRefusal).build();
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

    /**
     * Only this broker's key ever goes upstream, so an upstream 401 or 403 means the upstream refused this broker, not
     * its client: it becomes a 502, which the client sees as the broker being unavailable, never as its own
     * credential refused. Nothing of the upstream's answer is kept (it might echo what it was sent).
     */
    static Response upstreamRefusal(Interceptor.Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        if (response.code() != 401 && response.code() != 403) {
            return response;
        }
        int refused = response.code();
        response.close();
        return new Response.Builder()
                .request(response.request())
                .protocol(response.protocol())
                .code(502)
                .message("Bad Gateway")
                .body(ResponseBody.create("{\"code\":502,\"error\":\"UPSTREAM_REFUSED\",\"message\":\"the upstream"
                        + " refused this broker's API key (HTTP " + refused + "); check upstream-api-key\"}",
                        MediaType.get("application/json")))
                .build();
    }

    @Provides
    @Singleton
    static SandboxGateway gateway(SandgateClient upstream, AccessStore access, UrlScheme urls, Clock clock) {
        return new BrokeredSandboxGateway(upstream.gateway(), access, urls, clock);
    }
}
