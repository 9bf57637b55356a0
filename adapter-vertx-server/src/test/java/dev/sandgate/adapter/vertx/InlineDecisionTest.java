package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Once the preview proxy decides on the event loop (after {@link Lookups#PROOF} fast decisions from an in-memory
 * store), a deleted token, a deleted preview or a passed expiry is still refused on the very next request: running
 * inline reads the store, it never remembers a verdict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InlineDecisionTest {
    private BrokerFixture broker;
    private HttpServer origin;
    private SandboxName sandbox;

    /** One broker for the class: its proxy proves the store fast once, then each test refuses on its own preview. */
    @BeforeAll
    void start() throws Exception {
        broker = new BrokerFixture();
        origin = broker.vertx.createHttpServer().requestHandler(req -> req.response().end("origin"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        sandbox = broker.sandbox("web");
        String warm = preview("warm", Duration.ofHours(1));
        // enough requests for the proof, with room for runs a busy machine breaks
        for (int i = 0; i < 2 * Lookups.PROOF; i++) {
            assertThat(get("warm", warm).statusCode()).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() {
        origin.close();
        broker.close();
    }

    /** A private preview of the origin with one token {@code t1} valid for {@code tokenLife}; returns the token. */
    private String preview(String name, Duration tokenLife) {
        broker.gateway.createPreview(sandbox, new PreviewSpec(PreviewName.of(name), Port.of(origin.actualPort()),
                false, HttpHeaders.NONE, HttpHeaders.NONE, Optional.empty()));
        return broker.gateway.createToken(sandbox, PreviewName.of(name), TokenName.of("t1"),
                broker.clock.instant().plus(tokenLife)).value().value();
    }

    private HttpResponse<String> get(String preview, String token) {
        return broker.send(broker.request(broker.base + "/p/web/" + preview + "/x")
                .header("X-Blaxel-Preview-Token", token).GET());
    }

    @Test
    void a_token_deleted_after_thousands_of_requests_is_refused_on_the_next_one() {
        String token = preview("token-deleted", Duration.ofHours(1));
        assertThat(get("token-deleted", token).statusCode()).isEqualTo(200);

        broker.gateway.deleteToken(sandbox, PreviewName.of("token-deleted"), TokenName.of("t1"));

        assertThat(get("token-deleted", token).statusCode()).isEqualTo(401);
    }

    @Test
    void a_preview_deleted_after_thousands_of_requests_is_gone_on_the_next_one() {
        String token = preview("preview-deleted", Duration.ofHours(1));
        assertThat(get("preview-deleted", token).statusCode()).isEqualTo(200);

        broker.gateway.deletePreview(sandbox, PreviewName.of("preview-deleted"));

        assertThat(get("preview-deleted", token).statusCode()).isEqualTo(404);
    }

    @Test
    void a_token_past_its_expiry_after_thousands_of_requests_is_refused_on_the_next_one() {
        Duration life = Duration.ofDays(3650); // later than any other test's tokens: moving the clock spares them
        String token = preview("token-expired", life);
        assertThat(get("token-expired", token).statusCode()).isEqualTo(200);

        broker.clock.advance(life);

        assertThat(get("token-expired", token).statusCode()).isEqualTo(401);
    }
}
