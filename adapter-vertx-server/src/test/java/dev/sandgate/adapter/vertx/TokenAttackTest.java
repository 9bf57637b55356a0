package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Presented tokens that are almost right, fixation, the expiry instant itself, and a token used on another sandbox. */
class TokenAttackTest {
    private BrokerFixture broker;
    private SandboxName a;
    private SandboxName b;
    private String token;
    private String url;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        a = broker.sandbox("sandbox-a");
        b = broker.sandbox("sandbox-b");
        PreviewToken t = broker.session(a, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
        broker.session(b, "session-2", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
        token = t.value().value();
        url = broker.sessionUrl(a, "session-1") + "/process";
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> withToken(String target, String... tokens) {
        var request = broker.request(target);
        for (String t : tokens) {
            request.header("X-Blaxel-Preview-Token", t);
        }
        return broker.send(request.GET());
    }

    private String rawWithTokenLine(String tokenLine) {
        return broker.raw("GET /s/sandbox-a/session-1/process HTTP/1.1\r\nHost: 127.0.0.1\r\n" + tokenLine
                + "\r\nConnection: close\r\n\r\n");
    }

    private static String body(String rawAnswer) {
        return rawAnswer.substring(rawAnswer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    @DisplayName("tokens one character short or long, with a non-base64url character, or given twice: the unknown-token 401")
    void near_miss_tokens_are_refused_exactly_like_an_unknown_one() {
        HttpResponse<String> valid = withToken(url, token);
        HttpResponse<String> unknown = withToken(url, "u".repeat(token.length()));
        Map<String, HttpResponse<String>> variants = new LinkedHashMap<>();
        variants.put("one too short", withToken(url, token.substring(1)));
        variants.put("one too long", withToken(url, token + "A"));
        variants.put("non-base64url +", withToken(url, token.substring(1) + "+"));
        variants.put("non-base64url .", withToken(url, token.substring(0, 10) + "." + token.substring(11)));
        variants.put("given twice, valid first", withToken(url, token, "u".repeat(token.length())));
        variants.put("given twice, valid both times", withToken(url, token, token));
        variants.put("empty", withToken(url, ""));

        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(unknown.statusCode()).isEqualTo(401);
        variants.forEach((what, r) -> {
            assertThat(r.statusCode()).as(what).isEqualTo(401);
            assertThat(r.body()).as(what).isEqualTo(unknown.body());
        });
    }

    @Test
    @DisplayName("whitespace or a tab inside the presented value, or a 4000-character junk token: the unknown-token 401")
    void whitespace_inside_a_token_is_refused_like_an_unknown_one() {
        String unknown = rawWithTokenLine("X-Blaxel-Preview-Token: " + "u".repeat(token.length()));
        String inner = rawWithTokenLine("X-Blaxel-Preview-Token: " + token.substring(0, 20) + " " + token.substring(20));
        String tab = rawWithTokenLine("X-Blaxel-Preview-Token: " + token + "\t" + "x");
        String longJunk = rawWithTokenLine("X-Blaxel-Preview-Token: " + "j".repeat(4000));
        // Whitespace around a header value is not part of it (RFC 9110 section 5.5): the parser strips it, so a
        // token with leading or trailing spaces in the header is that token. In a query parameter it is part of it.
        broker.gateway.createPreview(a, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(3000)));
        String appToken = broker.gateway.createToken(a, PreviewName.of("app"), TokenName.of("t"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
        String queryWithSpace = broker.raw("GET /p/sandbox-a/app/x?bl_preview_token=%20" + appToken
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(unknown).startsWith("HTTP/1.1 401");
        for (String answer : List.of(inner, tab, longJunk)) {
            assertThat(answer).startsWith("HTTP/1.1 401");
            assertThat(body(answer)).isEqualTo(body(unknown));
        }
        assertThat(queryWithSpace).startsWith("HTTP/1.1 401").doesNotContain("Set-Cookie");
    }

    @Test
    void a_never_issued_client_supplied_token_is_refused_and_nothing_is_created() throws Exception {
        broker.gateway.createPreview(a, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(3000)));
        List<PreviewToken> sessionBefore = broker.gateway.listTokens(a, PreviewName.of("session-1"));
        List<PreviewToken> appBefore = broker.gateway.listTokens(a, PreviewName.of("app"));
        String chosen = "attacker-chosen-token-0123456789abcdefghijkl";

        HttpResponse<String> session = withToken(url, chosen);
        HttpResponse<String> proxyHeader = withToken(broker.base + "/p/sandbox-a/app/", chosen);
        HttpResponse<String> proxyQuery = broker.send(broker.request(broker.base + "/p/sandbox-a/app/?bl_preview_token="
                + chosen).GET());
        HttpResponse<String> proxyCookie = broker.send(broker.request(broker.base + "/p/sandbox-a/app/")
                .header("Cookie", "bl_preview_token=" + chosen).GET());

        for (HttpResponse<String> r : List.of(session, proxyHeader, proxyQuery, proxyCookie)) {
            assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(401);
            assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
        }
        assertThat(broker.gateway.listTokens(a, PreviewName.of("session-1"))).isEqualTo(sessionBefore);
        assertThat(broker.gateway.listTokens(a, PreviewName.of("app"))).isEqualTo(appBefore);
        // and the chosen value still opens nothing afterwards
        assertThat(withToken(url, chosen).statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("a token whose expiresAt equals the broker clock's now is refused (the check is expiresAt > now)")
    void a_token_expiring_exactly_now_is_refused() {
        Instant in1ms = BrokerFixture.T0.plusMillis(1);
        broker.gateway.createPreview(a, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(3000)));
        String sessionToken = broker.gateway.createToken(a, PreviewName.of("session-1"), TokenName.of("short"), in1ms)
                .value().value();
        String appToken = broker.gateway.createToken(a, PreviewName.of("app"), TokenName.of("short"), in1ms)
                .value().value();
        String appUrl = broker.base + "/p/sandbox-a/app/";
        HttpResponse<String> before = withToken(url, sessionToken);

        broker.clock.advance(Duration.ofMillis(1));
        HttpResponse<String> atExpiry = withToken(url, sessionToken);
        HttpResponse<String> proxyAtExpiry = withToken(appUrl, appToken);
        broker.clock.advance(Duration.ofMillis(1));
        HttpResponse<String> after = withToken(url, sessionToken);

        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(atExpiry.statusCode()).isEqualTo(401);
        assertThat(proxyAtExpiry.statusCode()).isEqualTo(401);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(atExpiry.body()).isEqualTo(after.body());
    }

    @Test
    void a_token_of_sandbox_a_on_sandbox_b_preview_is_answered_like_an_unknown_token() {
        broker.gateway.createPreview(a, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(3000)));
        broker.gateway.createPreview(b, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(3000)));
        String appToken = broker.gateway.createToken(a, PreviewName.of("app"), TokenName.of("t"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();

        HttpResponse<String> otherSandbox = withToken(broker.base + "/p/sandbox-b/app/", appToken);
        HttpResponse<String> unknown = withToken(broker.base + "/p/sandbox-b/app/", "u".repeat(appToken.length()));
        HttpResponse<String> sessionOnProxy = withToken(broker.base + "/p/sandbox-b/app/", token);

        assertThat(otherSandbox.statusCode()).isEqualTo(401);
        assertThat(sessionOnProxy.statusCode()).isEqualTo(401);
        assertThat(otherSandbox.body()).isEqualTo(unknown.body());
        assertThat(sessionOnProxy.body()).isEqualTo(unknown.body());
    }
}
