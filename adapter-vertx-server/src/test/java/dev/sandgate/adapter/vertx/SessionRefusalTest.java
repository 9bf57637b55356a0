package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A broker that refuses sessions (its gateway's processes are not isolated) serves session URLs to the API key only. */
class SessionRefusalTest {
    private static final String REASON = "session tokens are refused: process isolation is off";

    private BrokerFixture broker;
    private SandboxName sandbox;
    private PreviewToken token;

    @BeforeEach
    void start() {
        broker = new BrokerFixture(s -> s.toBuilder().sessionRefusal(REASON).build(), Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        sandbox = broker.sandbox("box");
        token = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)),
                Map.of("Access-Control-Allow-Origin", "https://app.example"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void a_valid_session_token_gets_403_with_the_reason_and_the_sessions_cors_headers() {
        String url = broker.sessionUrl(sandbox, "session-1") + "/process";
        HttpResponse<String> valid = broker.send(broker.request(url).header("X-Blaxel-Preview-Token",
                token.value().value()).GET());
        HttpResponse<String> none = broker.send(broker.request(url).GET());

        for (HttpResponse<String> refused : List.of(valid, none)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(json(refused).getMap()).containsEntry("code", 403).containsEntry("reason", "SESSIONS_REFUSED")
                    .containsEntry("error", REASON);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        }
    }

    @Test
    void the_api_key_is_still_served_on_the_session_url() {
        HttpResponse<String> withKey = broker.send(broker.withKey(broker.sessionUrl(sandbox, "session-1")
                + "/process").GET());

        assertThat(withKey.statusCode()).isEqualTo(200);
    }

    @Test
    void a_refusal_reason_is_one_line() {
        BrokerSettings defaults = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS);

        assertThat(defaults.sessionRefusal()).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.toBuilder().sessionRefusal("two\nlines").build());
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.toBuilder().sessionRefusal(" ").build());
    }
}
