package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of the cache alone: when it may hold and serve an entry. */
class VerifiedCacheTest {
    private static final SandboxName SANDBOX = SandboxName.of("box");
    private static final PreviewName PREVIEW = PreviewName.of("session-1");
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final VerifiedCache cache = new VerifiedCache();
    private final VerifiedCache.Entry entry = entry("t1");

    private VerifiedCache.Entry entry(String name) {
        return new VerifiedCache.Entry(new PreviewToken(TokenName.of(name), SANDBOX, PREVIEW,
                TokenValue.of("bxp_" + "A".repeat(43)), now.plusSeconds(60)), Optional.empty(), now);
    }

    @BeforeEach
    void trust() {
        cache.commandsUp(true);
        cache.subscribed(true);
    }

    @Test
    void an_answer_read_before_an_invalidation_is_not_cached_after_it() {
        long epoch = cache.epoch();
        cache.drop(Optional.of(Invalidation.token(SANDBOX, PREVIEW, TokenName.of("t1"))));

        cache.put(epoch, "h1", entry);

        assertThat(cache.get("h1", now)).isEmpty();
    }

    @Test
    void an_entry_is_served_for_less_than_a_second_after_it_was_read() {
        cache.put(cache.epoch(), "h1", entry);

        assertThat(cache.get("h1", now.plusMillis(999))).contains(entry);
        assertThat(cache.get("h1", now.plus(VerifiedCache.MAX_AGE))).isEmpty();
    }

    @Test
    void losing_the_subscription_or_the_connection_drops_everything_and_distrusts_the_cache() {
        cache.put(cache.epoch(), "h1", entry);
        cache.subscribed(false);
        assertThat(cache.trusted()).isFalse();
        assertThat(cache.size()).isZero();

        cache.subscribed(true);
        assertThat(cache.trusted()).isTrue();
        cache.put(cache.epoch(), "h1", entry);
        cache.commandsUp(false);

        assertThat(cache.trusted()).isFalse();
        assertThat(cache.get("h1", now)).isEmpty();
        long epoch = cache.epoch();
        cache.put(epoch, "h1", entry);
        assertThat(cache.size()).isZero(); // nothing is cached while distrusted
    }

    @Test
    void a_message_drops_what_it_names_and_an_unreadable_one_drops_everything() {
        cache.put(cache.epoch(), "h1", entry);
        cache.put(cache.epoch(), "h2", entry("t2"));

        cache.drop(Optional.of(Invalidation.token(SANDBOX, PREVIEW, TokenName.of("t1"))));
        assertThat(cache.get("h1", now)).isEmpty();
        assertThat(cache.get("h2", now)).isPresent();

        cache.drop(Optional.of(Invalidation.token(SandboxName.of("other"), PREVIEW, TokenName.of("t2"))));
        assertThat(cache.get("h2", now)).isPresent();

        cache.drop(Optional.empty());
        assertThat(cache.size()).isZero();
    }
}
