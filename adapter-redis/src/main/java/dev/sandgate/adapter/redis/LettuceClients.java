package dev.sandgate.adapter.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How the adapter's Redis clients are made, reached and shut down: one set of options for every connection. */
final class LettuceClients {
    /** Reconnect attempts start at 10 ms and back off to one a second, so a Redis back is used within a second. */
    private static final Delay RECONNECT = Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS);

    private LettuceClients() {
    }

    /** A client with resources of its own; shut it down with {@link #shutdown}. */
    static RedisClient create(RedisEndpoint endpoint) {
        RedisClient client = RedisClient.create(ClientResources.builder().reconnectDelay(RECONNECT).build());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While disconnected, commands fail at once (503), never queue up behind a dead connection.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(endpoint.timeout()))
                .build());
        return client;
    }

    static RedisURI uri(RedisEndpoint endpoint) {
        RedisURI.Builder b = RedisURI.builder().withHost(endpoint.host()).withPort(endpoint.port())
                .withDatabase(endpoint.database()).withSsl(endpoint.tls()).withVerifyPeer(endpoint.tls())
                .withTimeout(endpoint.timeout());
        endpoint.password().ifPresent(p -> b.withPassword(p.toCharArray()));
        return b.build();
    }

    /** Shuts a client of {@link #create} down, with its resources. */
    static void shutdown(RedisClient client) {
        ClientResources resources = client.getResources();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** A failure's message with its root cause's (Lettuce never puts the password in either). */
    static String describe(RedisException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }
}
