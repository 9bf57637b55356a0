package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import retrofit2.Retrofit;

/**
 * A client of a Sandgate broker or of Blaxel's hosted API, speaking the Blaxel wire protocol. Immutable; build one
 * with {@link #builder()}:
 *
 * <pre>{@code
 * SandgateClient client = SandgateClient.builder()
 *     .baseUrl("http://127.0.0.1:8080/v0")
 *     .workspace("default")
 *     .apiKey(key)
 *     .build();
 * SandboxGateway gateway = client.gateway();              // the control plane, with the API key
 * SessionConnector sessions = client.sessionConnector();  // the data plane, with only a session token
 * }</pre>
 *
 * The API key travels as {@code X-Blaxel-Authorization: Bearer …} with {@code X-Blaxel-Workspace}, as the official
 * SDK sends them; a session connector sends only {@code X-Blaxel-Preview-Token}, only to the session URL.
 */
public final class SandgateClient {
    private final HttpUrl baseUrl;
    private final String workspace;
    private final Optional<String> apiKey;
    private final OkHttpClient http;
    private final Duration defaultWait;
    private final int maxRetries;

    private SandgateClient(Builder b) {
        this.baseUrl = b.baseUrl;
        this.workspace = b.workspace;
        this.apiKey = Optional.ofNullable(b.apiKey);
        this.defaultWait = b.defaultWait;
        this.maxRetries = b.maxRetries;
        OkHttpClient base = b.client != null ? b.client : new OkHttpClient();
        this.http = base.newBuilder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .addInterceptor(new RetryInterceptor(b.maxRetries))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public HttpUrl baseUrl() {
        return baseUrl;
    }

    public String workspace() {
        return workspace;
    }

    /** The gateway with the API key: control plane and every sandbox's data plane. */
    public SandboxGateway gateway() {
        String key = apiKey.orElseThrow(() -> new IllegalStateException("an API key is needed for the gateway"));
        OkHttpClient authed = http.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .header("X-Blaxel-Authorization", "Bearer " + key)
                .header("X-Blaxel-Workspace", workspace)
                .build())).build();
        Retrofit control = new Retrofit.Builder().baseUrl(withSlash(baseUrl)).client(authed).build();
        return new RetrofitSandboxGateway(control.create(ControlPlaneApi.class), dataApi(authed),
                dataApi(streaming(authed)), defaultWait);
    }

    /**
     * Opens a session's data plane: requests go only to {@code session.url()} and carry only the session token.
     * Nothing is sent before the first operation.
     */
    public SessionConnector sessionConnector() {
        return this::connectWith;
    }

    private static DataPlane connectWith(Session session, OkHttpClient http, Duration wait) {
        HttpUrl base = HttpUrl.parse(session.url());
        if (base == null) {
            throw new SandgateException.InvalidRequest("session url is not an http(s) URL");
        }
        String token = session.token().value();
        OkHttpClient tokened = http.newBuilder().addInterceptor(chain -> {
            var request = chain.request();
            if (!request.url().host().equals(base.host()) || request.url().port() != base.port()) {
                // a session token never leaves for another host
                throw new java.io.IOException("refusing to send a session token to another host");
            }
            return chain.proceed(request.newBuilder().header("X-Blaxel-Preview-Token", token).build());
        }).build();
        SandboxName name = SandboxName.of("session");
        return new RetrofitDataPlane(name, base, dataApi(tokened), dataApi(streaming(tokened)), wait);
    }

    private DataPlane connectWith(Session session) {
        return connectWith(session, http, defaultWait);
    }

    private static DataPlaneApi dataApi(OkHttpClient client) {
        // absolute @Url calls ignore the base; Retrofit still wants one
        return new Retrofit.Builder().baseUrl("http://localhost/").client(client).build().create(DataPlaneApi.class);
    }

    private static OkHttpClient streaming(OkHttpClient client) {
        // log streams may be quiet for a while between keepalives
        return client.newBuilder().readTimeout(Duration.ofMinutes(2)).build();
    }

    private static HttpUrl withSlash(HttpUrl url) {
        String s = url.toString();
        return s.endsWith("/") ? url : HttpUrl.get(s + "/");
    }

    /** Builds a {@link SandgateClient}. Not thread-safe; the client it builds is. */
    public static final class Builder {
        private HttpUrl baseUrl;
        private String workspace = "default";
        private String apiKey;
        private OkHttpClient client;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration defaultWait = Duration.ofSeconds(60);
        private int maxRetries = 2;

        private Builder() {
        }

        /** The control-plane base, e.g. {@code http://127.0.0.1:8080/v0} or {@code https://api.blaxel.ai/v0}. */
        public Builder baseUrl(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl must not be null");
            HttpUrl parsed = HttpUrl.parse(baseUrl);
            if (parsed == null) {
                throw new IllegalArgumentException("baseUrl '" + baseUrl + "' is not an http(s) URL");
            }
            this.baseUrl = parsed;
            return this;
        }

        public Builder workspace(String workspace) {
            this.workspace = Objects.requireNonNull(workspace, "workspace must not be null");
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey must not be null");
            return this;
        }

        /** Your own OkHttpClient (dispatcher, proxy, TLS); Sandgate derives its clients from it. */
        public Builder okHttpClient(OkHttpClient client) {
            this.client = Objects.requireNonNull(client, "client must not be null");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive(timeout, "connectTimeout");
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = requirePositive(timeout, "readTimeout");
            return this;
        }

        /** How long a server may take to answer an exec that waits, when the spec gives no timeout. */
        public Builder defaultWait(Duration wait) {
            this.defaultWait = requirePositive(wait, "defaultWait");
            return this;
        }

        /** Retries of idempotent reads on 502/503/504 and connection failures (default 2). */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0 || maxRetries > 10) {
                throw new IllegalArgumentException("maxRetries " + maxRetries + " is out of range 0-10");
            }
            this.maxRetries = maxRetries;
            return this;
        }

        public SandgateClient build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required");
            }
            return new SandgateClient(this);
        }

        private static Duration requirePositive(Duration d, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " " + d + " must be positive");
            }
            return d;
        }
    }
}
