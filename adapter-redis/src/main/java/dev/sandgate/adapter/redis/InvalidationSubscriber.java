package dev.sandgate.adapter.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link VerifiedCache} in step with Redis: a subscriber connection of its own on the cluster's invalidation
 * channel, whose messages drop entries, and the connection events of the store's two connections, which decide
 * whether the cache may be trusted. Lettuce reconnects both connections by itself and subscribes again after a
 * reconnect; the cache is trusted again only once Redis confirms the new subscription.
 */
final class InvalidationSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationSubscriber.class);

    private final VerifiedCache cache;
    private final String channel;
    private final String where;
    private final StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;

    private InvalidationSubscriber(VerifiedCache cache, String channel, String where,
                                   StatefulRedisConnection<String, String> commands) {
        this.cache = cache;
        this.channel = channel;
        this.where = where;
        this.commands = commands;
    }

    /** Subscribes (waiting for Redis to confirm it) and starts following both connections. */
    static InvalidationSubscriber start(RedisClient client, RedisURI uri, String channel, String where,
                                        StatefulRedisConnection<String, String> commands, VerifiedCache cache) {
        Objects.requireNonNull(cache, "cache must not be null");
        InvalidationSubscriber subscriber = new InvalidationSubscriber(cache, channel, where, commands);
        client.addListener(subscriber.new ConnectionEvents());
        cache.commandsUp(commands.isOpen());
        StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub(uri);
        subscriber.pubsub = pubsub;
        pubsub.addListener(subscriber.new Messages());
        try {
            pubsub.sync().subscribe(channel);
        } catch (RuntimeException e) {
            pubsub.close();
            throw e;
        }
        if (pubsub.isOpen()) {
            cache.subscribed(true); // confirmed: SUBSCRIBE answered
        }
        return subscriber;
    }

    private final class Messages extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String from, String message) {
            if (channel.equals(from)) {
                cache.drop(Invalidation.parse(message));
            }
        }

        @Override
        public void subscribed(String to, long count) {
            if (channel.equals(to)) {
                LOG.info("subscribed to the invalidations of the shared store at {}", where);
                cache.subscribed(true);
            }
        }

        @Override
        public void unsubscribed(String from, long count) {
            if (channel.equals(from)) {
                cache.subscribed(false);
            }
        }
    }

    private final class ConnectionEvents implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == commands) {
                cache.commandsUp(true);
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == commands) {
                LOG.warn("lost the connection to the shared store at {}: no credential is checked until it is back",
                        where);
                cache.commandsUp(false);
            } else if (connection == pubsub) {
                LOG.warn("lost the subscription to the invalidations of the shared store at {}: no credential is "
                        + "checked until it is back", where);
                cache.subscribed(false);
            }
        }
    }

    @Override
    public void close() {
        cache.subscribed(false);
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p != null) {
            p.close();
        }
    }
}
