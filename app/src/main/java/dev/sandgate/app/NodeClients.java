package dev.sandgate.app;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.adapter.vertx.ClusterCredential;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.ports.SandboxGateway;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * The other nodes' control planes, as gateways: {@link SandgateClient} at each node's URL with the cluster's API key
 * (every broker of a cluster shares it) and the {@link ClusterCredential}, so that the node serves the call itself
 * (its own sandboxes) and never forwards it again. No retries: a creation is sent once.
 */
final class NodeClients implements Function<NodeInfo, SandboxGateway>, AutoCloseable {
    private final String apiKey;
    private final String workspace;
    private final OkHttpClient http;
    private final Map<URI, SandboxGateway> byUrl = new ConcurrentHashMap<>();

    NodeClients(String apiKey, String workspace, ClusterCredential credential) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey must not be null");
        this.workspace = Objects.requireNonNull(workspace, "workspace must not be null");
        String header = credential.headerValue();
        this.http = new OkHttpClient.Builder()
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header(ClusterCredential.HEADER, header).build()))
                .build();
    }

    @Override
    public SandboxGateway apply(NodeInfo node) {
        return byUrl.computeIfAbsent(node.url(), url -> SandgateClient.builder()
                .baseUrl(url.toString().replaceAll("/+$", "") + "/v0")
                .workspace(workspace)
                .apiKey(apiKey)
                .okHttpClient(http)
                .maxRetries(0)
                .readTimeout(Duration.ofMinutes(2))
                .build()
                .gateway());
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
