package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.audit.AuditTrail;
import dev.sandgate.ports.SessionConnector;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import retrofit2.Retrofit;
import retrofit2.converter.moshi.MoshiConverterFactory;

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
 *
 * <p>Every route is a typed Retrofit call ({@link ControlPlaneApi} at the API base, {@link DataPlaneApi} at each
 * data-plane base) whose bodies Moshi binds to {@link Wire} records, and whose failures
 * {@link SandgateCallAdapterFactory} turns into {@link SandgateException}s.
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
        OkHttpClient authed = authed("the gateway");
        OkHttpClient streamingAuthed = streaming(authed);
        return new RetrofitSandboxGateway(retrofit(baseUrl, authed).create(ControlPlaneApi.class),
                (name, base) -> new RetrofitDataPlane(name, dataApi(base, authed), dataApi(base, streamingAuthed),
                        defaultWait));
    }

    /**
     * A Sandgate broker's audit trail of session use, with the API key (Sandgate's own extension of the control
     * plane: Blaxel's hosted API has none). Give it to {@code Sandgate.withAuditTrail} for
     * {@code SandboxInstance.audit}.
     */
    public AuditTrail auditTrail() {
        return new RetrofitAuditTrail(retrofit(baseUrl, authed("the audit trail")).create(AuditApi.class));
    }

    private OkHttpClient authed(String what) {
        String key = apiKey.orElseThrow(() -> new IllegalStateException("an API key is needed for " + what));
        return http.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .header("X-Blaxel-Authorization", "Bearer " + key)
                .header("X-Blaxel-Workspace", workspace)
                .build())).build();
    }

    /**
     * Opens a session's data plane: requests go only to {@code session.url()} and carry only the session token.
     * Nothing is sent before the first operation.
     *
     * <p>Its {@link DataPlane#sandbox()} is the sandbox the session URL names: a Sandgate broker's session URLs are
     * {@code {publicUrl}/s/{sandbox}/{session}}, and the segment before the session's own name is read as the
     * sandbox. A session URL that names no sandbox (Blaxel's hosted session URLs are opaque hosts) reports
     * {@link #UNNAMED_SESSION_SANDBOX}, the SDK's own placeholder; use {@link #sessionConnector(SandboxName)} when you
     * know the sandbox.
     */
    public SessionConnector sessionConnector() {
        return session -> connectWith(session, Optional.empty());
    }

    /**
     * A session connector whose data planes report {@code sandbox} as their sandbox, whatever the session URL looks
     * like: for session URLs that do not name their sandbox.
     */
    public SessionConnector sessionConnector(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        return session -> connectWith(session, Optional.of(sandbox));
    }

    /** {@link #sessionConnector(SandboxName)} with the name as a string. */
    public SessionConnector sessionConnector(String sandbox) {
        return sessionConnector(SandboxName.of(Objects.requireNonNull(sandbox, "sandbox must not be null")));
    }

    /** What a session's data plane reports as its sandbox when neither its URL nor the caller names it. */
    public static final SandboxName UNNAMED_SESSION_SANDBOX = SandboxName.of("session");

    /**
     * The sandbox a session URL names in a Sandgate broker's form {@code …/s/{sandbox}/{session name}}; empty for
     * any other URL (the last segment must be the session's own name, so an unrelated {@code /s/} is not misread).
     */
    static Optional<SandboxName> sandboxNamedBy(Session session) {
        HttpUrl url = HttpUrl.parse(session.url());
        if (url == null) {
            return Optional.empty();
        }
        List<String> segments = url.pathSegments();
        int n = segments.size();
        if (n < 3 || !segments.get(n - 3).equals("s") || !segments.get(n - 1).equals(session.name().value())) {
            return Optional.empty();
        }
        try {
            return Optional.of(SandboxName.of(segments.get(n - 2)));
        } catch (IllegalArgumentException notAName) {
            return Optional.empty();
        }
    }

    private DataPlane connectWith(Session session, Optional<SandboxName> given) {
        Objects.requireNonNull(session, "session must not be null");
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
        SandboxName name = given.or(() -> sandboxNamedBy(session)).orElse(UNNAMED_SESSION_SANDBOX);
        return new RetrofitDataPlane(name, dataApi(base, tokened), dataApi(base, streaming(tokened)), defaultWait);
    }

    /** The sandbox-API routes at one data-plane base (a sandbox's {@code metadata.url} or a session's URL). */
    private static DataPlaneApi dataApi(HttpUrl base, OkHttpClient client) {
        return retrofit(base, client).create(DataPlaneApi.class);
    }

    /** The one way a Retrofit is built here: Moshi's converter over {@link WireJson#MOSHI}, the one call adapter. */
    private static Retrofit retrofit(HttpUrl base, OkHttpClient client) {
        return new Retrofit.Builder()
                .baseUrl(withSlash(base))
                .client(client)
                .addConverterFactory(MoshiConverterFactory.create(WireJson.MOSHI))
                .addCallAdapterFactory(SandgateCallAdapterFactory.INSTANCE)
                .build();
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
