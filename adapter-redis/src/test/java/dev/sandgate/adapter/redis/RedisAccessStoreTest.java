package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the Redis store does: two brokers on one Redis, invalidations, Redis expiry, Redis going away. */
class RedisAccessStoreTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final SandboxName SANDBOX = SandboxName.of("box");
    private static final PreviewName PREVIEW = PreviewName.of("session-1");
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final byte[] key = new byte[32];
    private final String namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
    private RedisAccessStore one;
    private RedisAccessStore two;

    @BeforeEach
    void open() {
        new SecureRandom().nextBytes(key);
        one = open(key);
        two = open(key);
        one.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(PREVIEW, Port.SANDBOX_API),
                "http://broker.example/s/box/session-1", now));
    }

    private RedisAccessStore open(byte[] tokenKey) {
        return RedisAccessStore.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()), tokenKey, namespace);
    }

    @AfterEach
    void close() throws Exception {
        REDIS.start();
        one.close();
        two.close();
    }

    @Test
    void a_session_minted_through_one_broker_verifies_on_another_and_its_revocation_too() {
        String value = one.mintToken(SANDBOX, PREVIEW, TokenName.of("session"), now.plusSeconds(60), now)
                .value().value();

        assertThat(two.verify(SANDBOX, PREVIEW, value, now)).isPresent();
        assertThat(two.listTokens(SANDBOX, PREVIEW)).singleElement()
                .satisfies(t -> assertThat(t.value().matches(value)).isTrue());

        two.removeToken(SANDBOX, PREVIEW, TokenName.of("session"));

        assertThat(one.verify(SANDBOX, PREVIEW, value, now)).isEmpty();
    }

    @Test
    void a_broker_with_another_token_key_can_use_no_token_of_the_cluster() {
        String value = one.mintToken(SANDBOX, PREVIEW, TokenName.of("session"), now.plusSeconds(60), now)
                .value().value();
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);

        try (RedisAccessStore thief = open(otherKey)) {
            assertThat(thief.verify(SANDBOX, PREVIEW, value, now)).isEmpty();
            assertThat(thief.listTokens(SANDBOX, PREVIEW)).singleElement()
                    .satisfies(t -> assertThat(t.value().matches(value)).isFalse());
        }
    }

    @Test
    void every_delete_publishes_an_invalidation_on_the_cluster_channel() {
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        RedisClient client = RedisClient.create();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub(
                LettuceClients.uri(RedisEndpoint.parse(REDIS.url(0), Optional.empty())))) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    heard.add(channel + " " + message);
                }
            });
            sub.sync().subscribe(one.keys().channel());
            PreviewName other = PreviewName.of("web");
            one.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(other, Port.of(3000)), "http://x.example",
                    now));
            for (int i = 1; i <= 11; i++) { // the 11th evicts t1
                one.mintToken(SANDBOX, PREVIEW, TokenName.of("t" + i), now.plusSeconds(60), now);
            }
            one.removeToken(SANDBOX, PREVIEW, TokenName.of("t2"));
            one.removeToken(SANDBOX, PREVIEW, TokenName.of("absent")); // nothing removed: nothing sent
            one.removePreview(SANDBOX, other);
            one.removeSandbox(SANDBOX);

            String channel = namespace + ":0:invalidations ";
            Eventually.await("four invalidations", Duration.ofSeconds(5), () -> heard.size() >= 4);
            assertThat(List.copyOf(heard)).containsExactly(channel + "v1 token box session-1 t1",
                    channel + "v1 token box session-1 t2", channel + "v1 preview box web", channel + "v1 sandbox box");
        } finally {
            client.shutdown();
        }
        assertThat(Invalidation.parse("v1 token box session-1 t1"))
                .contains(Invalidation.token(SANDBOX, PREVIEW, TokenName.of("t1")));
        assertThat(Invalidation.parse("v9 future box x")).contains(Invalidation.sandbox(SANDBOX));
    }

    @Test
    void redis_drops_each_record_a_minute_after_it_expires() {
        Instant expiry = now.plusSeconds(30);
        one.mintToken(SANDBOX, PREVIEW, TokenName.of("session"), expiry, now);
        PreviewName expiring = PreviewName.of("expiring");
        Instant previewExpiry = now.plusSeconds(40);
        one.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(expiring, Port.of(3000))
                .withExpires(previewExpiry), "http://x.example", now));
        RedisKeys keys = one.keys();
        long expected = expiry.toEpochMilli() + RedisAccessStore.GRACE.toMillis();

        one.withCommands(redis -> {
            assertThat(redis.pexpiretime(keys.token(SANDBOX, PREVIEW, TokenName.of("session")))).isEqualTo(expected);
            assertThat(redis.pexpiretime(keys.tokens(SANDBOX, PREVIEW))).isEqualTo(expected);
            List<String> index = redis.keys(keys.indexPrefix() + "*");
            assertThat(index).singleElement().satisfies(k -> assertThat(redis.pexpiretime(k)).isEqualTo(expected));
            assertThat(redis.pexpiretime(keys.preview(SANDBOX, expiring)))
                    .isEqualTo(previewExpiry.toEpochMilli() + RedisAccessStore.GRACE.toMillis());
            assertThat(redis.pexpiretime(keys.preview(SANDBOX, PREVIEW))).isEqualTo(-1); // no expiry: kept
        });
    }

    @Test
    void redis_gone_answers_unavailable_and_redis_back_serves_again_without_a_restart() throws Exception {
        String value = one.mintToken(SANDBOX, PREVIEW, TokenName.of("session"), now.plusSeconds(600), now)
                .value().value();

        REDIS.stop(); // no persistence: what it held is gone, as after a failover to an empty replica

        assertThatThrownBy(() -> one.verify(SANDBOX, PREVIEW, value, now))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("Redis");
        assertThatThrownBy(() -> one.mintToken(SANDBOX, PREVIEW, TokenName.of("t"), now.plusSeconds(60), now))
                .isInstanceOf(SandgateException.Unavailable.class);

        REDIS.start();

        Eventually.await("the store reconnects", Duration.ofSeconds(20), () -> {
            try {
                return one.verify(SANDBOX, PREVIEW, value, now).isEmpty(); // the data went with the server
            } catch (SandgateException.Unavailable e) {
                return false;
            }
        });
        // every connection of the store is back once a write goes through too (scripts are loaded again as needed)
        Eventually.await("writes go through again", Duration.ofSeconds(20), () -> {
            try {
                one.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(PREVIEW, Port.SANDBOX_API),
                        "http://broker.example/s/box/session-1", now));
                return true;
            } catch (SandgateException.Unavailable e) {
                return false;
            } catch (SandgateException.Conflict alreadyThere) {
                return true;
            }
        });
        String fresh = one.mintToken(SANDBOX, PREVIEW, TokenName.of("session"), now.plusSeconds(60), now)
                .value().value();
        // the other broker's connection comes back on its own schedule: refused meanwhile, then the token verifies
        Eventually.await("the other broker verifies the new token", Duration.ofSeconds(20), () -> {
            try {
                return two.verify(SANDBOX, PREVIEW, fresh, now).isPresent();
            } catch (SandgateException.Unavailable e) {
                return false;
            }
        });
    }

    @Test
    void an_unreachable_redis_fails_the_start_naming_where_it_was_looked_for() throws Exception {
        RedisEndpoint nowhere = RedisEndpoint.parse("redis://127.0.0.1:" + closedPort() + "/2", Optional.of("pw-1"));

        assertThatThrownBy(() -> RedisAccessStore.open(nowhere, key))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis://127.0.0.1:" + nowhere.port() + "/2")
                .hasMessageNotContaining("pw-1");
        assertThat(nowhere.toString()).doesNotContain("pw-1");
    }

    @Test
    void a_url_with_a_password_or_no_redis_scheme_is_refused() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:secret@127.0.0.1:6379", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
        assertThatThrownBy(() -> RedisEndpoint.parse("http://127.0.0.1:6379", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://127.0.0.1:6379/x", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        RedisEndpoint parsed = RedisEndpoint.parse("rediss://cache.internal/7", Optional.empty());
        assertThat(parsed.port()).isEqualTo(6379);
        assertThat(parsed.database()).isEqualTo(7);
        assertThat(parsed.tls()).isTrue();
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
