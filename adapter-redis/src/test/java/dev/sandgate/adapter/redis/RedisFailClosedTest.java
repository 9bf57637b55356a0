package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import io.lettuce.core.KillArgs;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cache of verified credentials is trusted only while the store is subscribed to invalidations: with a real
 * redis-server, and a real TCP relay in front of it for the broker whose network is cut. Every check passes the same
 * {@code now}, so a cached entry never ages out by itself here: only the fail-closed rules keep a revoked token out.
 */
class RedisFailClosedTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Pattern EVALSHA_CALLS = Pattern.compile("cmdstat_evalsha:calls=(\\d+)");

    private static final SandboxName SANDBOX = SandboxName.of("box");
    private static final PreviewName PREVIEW = PreviewName.of("session-1");
    private static final TokenName TOKEN = TokenName.of("session");
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final byte[] key = new byte[32];
    private final String namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
    private TcpRelay relay;
    private RedisAccessStore direct;
    private RedisAccessStore relayed;

    @BeforeEach
    void open() throws Exception {
        new SecureRandom().nextBytes(key);
        relay = TcpRelay.to(REDIS.port());
        direct = open("redis://127.0.0.1:" + REDIS.port() + "/0");
        relayed = open("redis://127.0.0.1:" + relay.port() + "/0");
        insertSessionPreview();
    }

    private RedisAccessStore open(String url) {
        return RedisAccessStore.open(RedisEndpoint.parse(url, Optional.empty()), key, namespace);
    }

    private void insertSessionPreview() {
        direct.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(PREVIEW, Port.SANDBOX_API),
                "http://broker.example/s/box/session-1", now));
    }

    @AfterEach
    void close() throws Exception {
        REDIS.start();
        relay.refuseNew(false);
        direct.close();
        relayed.close();
        relay.close();
    }

    @Test
    void a_verified_credential_is_served_from_memory_while_the_subscription_holds() {
        String value = mint();
        assertThat(relayed.verify(SANDBOX, PREVIEW, value, now)).isPresent();
        // the setup's own changes publish invalidations that may still be on their way: each one that lands after a
        // read keeps that read out of the cache, so wait until one read is served without a script call
        Eventually.await("the verified credential is cached", PATIENCE, () -> {
            long calls = evalshaCalls();
            relayed.verify(SANDBOX, PREVIEW, value, now);
            return evalshaCalls() == calls;
        });
        long before = evalshaCalls();

        for (int i = 0; i < 5; i++) {
            assertThat(relayed.verify(SANDBOX, PREVIEW, value, now)).isPresent();
        }

        assertThat(evalshaCalls()).isEqualTo(before);
        // and a revocation through another broker reaches the cache through the channel
        direct.removeToken(SANDBOX, PREVIEW, TOKEN);
        Eventually.await("the invalidation reaches the cache", PATIENCE,
                () -> relayed.verify(SANDBOX, PREVIEW, value, now).isEmpty());
    }

    @Test
    void a_token_revoked_while_the_subscriber_is_cut_off_is_never_accepted_from_the_cache() {
        String value = mint();
        assertThat(relayed.verify(SANDBOX, PREVIEW, value, now)).isPresent(); // now cached
        relay.refuseNew(true);

        direct.withCommands(redis -> redis.clientKill(KillArgs.Builder.typePubsub())); // the subscriber drops
        awaitStoreUnavailable(relayed, value);
        direct.removeToken(SANDBOX, PREVIEW, TOKEN); // its invalidation reaches no one behind the relay

        // the command connection still works, yet no credential is checked while the subscription is gone
        assertThat(relayed.listTokens(SANDBOX, PREVIEW)).isEmpty();
        assertThatThrownBy(() -> relayed.verify(SANDBOX, PREVIEW, value, now))
                .isInstanceOfSatisfying(SandgateException.Unavailable.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE))
                .hasMessageContaining("checks no credential");

        relay.refuseNew(false);

        Optional<?> afterwards = awaitAnswer(relayed, value);
        assertThat(afterwards).as("the revoked token, once the subscription is back").isEmpty();
        String fresh = mint(TokenName.of("fresh"));
        assertThat(relayed.verify(SANDBOX, PREVIEW, fresh, now)).isPresent();
    }

    @Test
    void redis_gone_fails_every_check_closed_and_redis_back_serves_again_with_nothing_held_from_before()
            throws Exception {
        String value = mint();
        assertThat(relayed.verify(SANDBOX, PREVIEW, value, now)).isPresent(); // cached

        REDIS.stop(); // no persistence: the token goes with it, as after a failover to an empty replica

        awaitStoreUnavailable(relayed, value);
        assertThatThrownBy(() -> direct.mintToken(SANDBOX, PREVIEW, TokenName.of("t"), now.plusSeconds(60), now))
                .isInstanceOfSatisfying(SandgateException.Unavailable.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

        REDIS.start();

        assertThat(awaitAnswer(relayed, value)).as("a token Redis no longer holds").isEmpty();
        Eventually.await("writes go through again", PATIENCE, () -> {
            try {
                insertSessionPreview();
                return true;
            } catch (SandgateException.Unavailable e) {
                return false;
            }
        });
        String fresh = mint(TokenName.of("fresh"));
        assertThat(awaitAnswer(relayed, fresh)).isPresent();
    }

    @Test
    void a_store_that_loses_its_command_connection_checks_no_credential_until_it_is_back() {
        String value = mint();
        assertThat(relayed.verify(SANDBOX, PREVIEW, value, now)).isPresent();
        relay.refuseNew(true);

        direct.withCommands(redis -> redis.clientKill(KillArgs.Builder.typeNormal())); // every command connection
        awaitStoreUnavailable(relayed, value);
        direct.removeToken(SANDBOX, PREVIEW, TOKEN);
        relay.refuseNew(false);

        assertThat(awaitAnswer(relayed, value)).isEmpty();
    }

    @Test
    void a_token_revoked_through_this_broker_is_refused_by_it_on_the_very_next_check_not_after_its_message() {
        // the script's invalidation message reaches this broker's own subscriber a moment after the call returns;
        // a check in between must not be answered from the cache
        for (int i = 0; i < 50; i++) {
            TokenName name = TokenName.of("t" + i);
            String value = mint(name);
            assertThat(direct.verify(SANDBOX, PREVIEW, value, now)).as("minted, now cached").isPresent();

            direct.removeToken(SANDBOX, PREVIEW, name);

            assertThat(direct.verify(SANDBOX, PREVIEW, value, now)).as("revoked %s", name).isEmpty();
        }
    }

    @Test
    void a_preview_deleted_through_this_broker_takes_its_cached_session_with_it_at_once() {
        for (int i = 0; i < 20; i++) {
            String value = mint();
            assertThat(direct.verify(SANDBOX, PREVIEW, value, now)).isPresent();

            direct.removePreview(SANDBOX, PREVIEW);

            assertThat(direct.verify(SANDBOX, PREVIEW, value, now)).as("deleted preview, round %s", i).isEmpty();
            insertSessionPreview();
        }
    }

    private String mint() {
        return mint(TOKEN);
    }

    private String mint(TokenName name) {
        return direct.mintToken(SANDBOX, PREVIEW, name, now.plusSeconds(600), now).value().value();
    }

    /** Polls until the store refuses to check the credential, as it must once it noticed the loss. */
    private void awaitStoreUnavailable(RedisAccessStore store, String value) {
        Eventually.await("the store fails closed", PATIENCE, () -> {
            try {
                store.verify(SANDBOX, PREVIEW, value, now);
                return false;
            } catch (SandgateException.Unavailable e) {
                return e.code() == ErrorCode.STORE_UNAVAILABLE;
            }
        });
    }

    /** Polls until the store checks credentials again, and returns its first answer. */
    private Optional<?> awaitAnswer(RedisAccessStore store, String value) {
        java.util.concurrent.atomic.AtomicReference<Optional<?>> answer = new java.util.concurrent.atomic
                .AtomicReference<>();
        Eventually.await("the store checks credentials again", PATIENCE, () -> {
            try {
                answer.set(store.verify(SANDBOX, PREVIEW, value, now));
                return true;
            } catch (SandgateException.Unavailable e) {
                return false;
            }
        });
        return answer.get();
    }

    private long evalshaCalls() {
        AtomicLong calls = new AtomicLong();
        direct.withCommands(redis -> {
            Matcher m = EVALSHA_CALLS.matcher(redis.info("commandstats"));
            calls.set(m.find() ? Long.parseLong(m.group(1)) : 0);
        });
        return calls.get();
    }
}
