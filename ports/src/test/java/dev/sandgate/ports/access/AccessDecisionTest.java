package dev.sandgate.ports.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.access.AccessDecision.Credential;
import dev.sandgate.ports.access.AccessDecision.PreviewRequest;
import dev.sandgate.ports.access.AccessDecision.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The access decision at its edges, with previews and tokens held in maps and the time given to the millisecond. */
class AccessDecisionTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final SandboxName BOX = SandboxName.of("box");
    private static final SandboxName OTHER = SandboxName.of("other");
    private static final PreviewName SESSION = PreviewName.of("session-1");
    private static final PreviewName APP = PreviewName.of("app");
    private static final PreviewName OPEN = PreviewName.of("open");
    private static final TokenValue TOKEN = TokenValue.of("token-0123456789abcdef");
    private static final TokenValue SESSION_TOKEN = TokenValue.of("session-0123456789abcdef");

    private final Map<String, Preview> previews = new ConcurrentHashMap<>();
    private final Map<String, PreviewToken> tokens = new ConcurrentHashMap<>();
    private final AccessDecision decision = new AccessDecision(
            (sandbox, name) -> Optional.ofNullable(previews.get(sandbox + "/" + name)),
            (sandbox, name, presented, now) -> tokens.values().stream()
                    .filter(t -> t.sandbox().equals(sandbox) && t.preview().equals(name) && t.value().equals(presented))
                    .findFirst());

    AccessDecisionTest() {
        put(BOX, new PreviewSpec(SESSION, Port.SANDBOX_API, false, HttpHeaders.NONE, HttpHeaders.NONE,
                Optional.of(T0.plusSeconds(3600))));
        put(BOX, new PreviewSpec(APP, Port.of(3000), false,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")), HttpHeaders.NONE,
                Optional.of(T0.plusSeconds(600))));
        put(BOX, PreviewSpec.publicPort(OPEN, Port.of(3001)));
        put(OTHER, PreviewSpec.privatePort(APP, Port.of(3000)));
        token(BOX, SESSION, SESSION_TOKEN, T0.plusSeconds(3600));
        token(BOX, APP, TOKEN, T0.plusSeconds(60));
    }

    private void put(SandboxName sandbox, PreviewSpec spec) {
        previews.put(sandbox + "/" + spec.name(), new Preview(sandbox, spec, "http://x/" + spec.name(), T0));
    }

    private void token(SandboxName sandbox, PreviewName preview, TokenValue value, Instant expiresAt) {
        tokens.put(sandbox + "/" + preview + "/" + value.value(),
                new PreviewToken(TokenName.of("t" + tokens.size()), sandbox, preview, value, expiresAt));
    }

    private static PresentedToken header(TokenValue value) {
        return new PresentedToken.Token(PresentedToken.Source.HEADER, value);
    }

    private static PreviewRequest app(PresentedToken token) {
        return new PreviewRequest(BOX, APP, token, false, false, Optional.empty(), Set.of());
    }

    @Test
    void a_session_url_opens_with_its_token_or_the_api_key_and_refuses_everything_else() {
        assertThat(decision.session(BOX, SESSION, false, header(SESSION_TOKEN), T0).verdict()).isEqualTo(Verdict.FORWARD);
        assertThat(decision.session(BOX, SESSION, true, PresentedToken.NONE, T0).grant().orElseThrow().credential())
                .isEqualTo(Credential.API_KEY);
        assertThat(decision.session(BOX, SESSION, false, PresentedToken.NONE, T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
        assertThat(decision.session(BOX, SESSION, false, new PresentedToken.Malformed(PresentedToken.Source.HEADER), T0)
                .verdict()).isEqualTo(Verdict.UNAUTHORIZED);
        // another preview's token, even of the same sandbox, does not open the session
        assertThat(decision.session(BOX, SESSION, false, header(TOKEN), T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
        // an application preview is not a session URL; an unknown one is 404 only to the key holder
        assertThat(decision.session(BOX, APP, false, header(TOKEN), T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
        assertThat(decision.session(BOX, PreviewName.of("nope"), true, PresentedToken.NONE, T0).verdict())
                .isEqualTo(Verdict.NOT_FOUND);
        assertThat(decision.session(BOX, PreviewName.of("nope"), false, header(SESSION_TOKEN), T0).verdict())
                .isEqualTo(Verdict.UNAUTHORIZED);
    }

    @Test
    void a_session_expires_at_the_instant_of_its_preview_s_expiry() {
        Instant end = T0.plusSeconds(3600);

        assertThat(decision.session(BOX, SESSION, false, header(SESSION_TOKEN), end.minusMillis(1)).verdict())
                .isEqualTo(Verdict.FORWARD);
        assertThat(decision.session(BOX, SESSION, false, header(SESSION_TOKEN), end).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(decision.session(BOX, SESSION, true, PresentedToken.NONE, end).verdict()).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void a_private_preview_takes_its_own_token_until_the_instant_it_expires() {
        assertThat(decision.preview(app(header(TOKEN)), T0.plusSeconds(60).minusMillis(1)).verdict())
                .isEqualTo(Verdict.FORWARD);
        assertThat(decision.preview(app(header(TOKEN)), T0.plusSeconds(60)).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(decision.preview(app(PresentedToken.NONE), T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
        assertThat(decision.preview(new PreviewRequest(OTHER, APP, header(TOKEN), false, false, Optional.empty(),
                Set.of()), T0).verdict()).as("the same preview name in another sandbox").isEqualTo(Verdict.UNAUTHORIZED);
        assertThat(decision.preview(app(header(SESSION_TOKEN)), T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
    }

    @Test
    void public_previews_and_preflights_need_no_token_but_an_expired_or_missing_preview_is_refused() {
        assertThat(decision.preview(new PreviewRequest(BOX, OPEN, PresentedToken.NONE, false, false, Optional.empty(),
                Set.of()), T0).grant().orElseThrow().credential()).isEqualTo(Credential.PUBLIC);
        assertThat(decision.preview(new PreviewRequest(BOX, APP, PresentedToken.NONE, true, false, Optional.empty(),
                Set.of()), T0).verdict()).isEqualTo(Verdict.FORWARD);
        assertThat(decision.preview(app(header(TOKEN)), T0.plusSeconds(600)).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(decision.preview(new PreviewRequest(BOX, SESSION, header(SESSION_TOKEN), false, false,
                Optional.empty(), Set.of()), T0).verdict()).as("a session is not an application preview")
                .isEqualTo(Verdict.NOT_FOUND);
    }

    @Test
    void a_query_token_is_answered_setting_the_cookie_and_only_a_top_level_navigation_is_redirected() {
        PresentedToken query = new PresentedToken.Token(PresentedToken.Source.QUERY, TOKEN);

        assertThat(decision.preview(app(query), T0).verdict()).isEqualTo(Verdict.FORWARD_SETTING_COOKIE);
        assertThat(decision.preview(new PreviewRequest(BOX, APP, query, false, true, Optional.empty(), Set.of()), T0)
                .verdict()).isEqualTo(Verdict.REDIRECT);
        assertThat(decision.preview(new PreviewRequest(BOX, APP, new PresentedToken.Token(PresentedToken.Source.COOKIE,
                TOKEN), false, true, Optional.empty(), Set.of()), T0).verdict()).isEqualTo(Verdict.FORWARD);
    }

    @Test
    void a_websocket_to_a_private_preview_from_a_foreign_origin_is_forbidden_even_with_its_token() {
        PresentedToken cookie = new PresentedToken.Token(PresentedToken.Source.COOKIE, TOKEN);
        for (String foreign : List.of("https://evil.example", "null", "https://app.example.evil.com", "http://app.example")) {
            assertThat(decision.preview(new PreviewRequest(BOX, APP, cookie, false, false, Optional.of(foreign),
                    Set.of("http://127.0.0.1:8080")), T0).verdict()).as(foreign).isEqualTo(Verdict.FORBIDDEN);
        }
        for (String allowed : List.of("", "https://APP.example", "http://127.0.0.1:8080")) {
            assertThat(decision.preview(new PreviewRequest(BOX, APP, cookie, false, false, Optional.of(allowed),
                    Set.of("http://127.0.0.1:8080")), T0).verdict()).as(allowed).isEqualTo(Verdict.FORWARD);
        }
        // without a token the answer is 401 whatever the origin: nothing is learnt about the preview
        assertThat(decision.preview(new PreviewRequest(BOX, APP, PresentedToken.NONE, false, false,
                Optional.of("https://evil.example"), Set.of()), T0).verdict()).isEqualTo(Verdict.UNAUTHORIZED);
    }

    @Test
    void a_grant_lapses_when_its_token_or_preview_is_deleted_or_expires() {
        var grant = decision.preview(app(header(TOKEN)), T0).grant().orElseThrow();
        var session = decision.session(BOX, SESSION, false, header(SESSION_TOKEN), T0).grant().orElseThrow();
        var open = decision.preview(new PreviewRequest(BOX, OPEN, PresentedToken.NONE, false, false, Optional.empty(),
                Set.of()), T0).grant().orElseThrow();

        assertThat(decision.standing(grant, T0.plusSeconds(59))).isEqualTo(AccessDecision.Standing.VALID);
        // the store in this test answers expired tokens too; one that answers only valid ones reads as revoked
        assertThat(decision.standing(grant, T0.plusSeconds(60))).isEqualTo(AccessDecision.Standing.EXPIRED);
        tokens.clear();
        assertThat(decision.standing(session, T0)).isEqualTo(AccessDecision.Standing.REVOKED);
        assertThat(decision.standing(open, T0)).isEqualTo(AccessDecision.Standing.VALID);
        previews.remove(BOX + "/" + OPEN);
        assertThat(decision.standing(open, T0)).isEqualTo(AccessDecision.Standing.REVOKED);
        assertThat(decision.standing(session, T0.plusSeconds(3600))).isEqualTo(AccessDecision.Standing.EXPIRED);
        assertThat(grant.toString()).doesNotContain(TOKEN.value());
    }

    @Test
    void a_presented_token_is_parsed_once_header_first_and_a_repeated_or_junk_value_is_malformed() {
        assertThat(PresentedToken.of(List.of(TOKEN.value()), List.of("x"), Optional.of("y")))
                .isEqualTo(new PresentedToken.Token(PresentedToken.Source.HEADER, TOKEN));
        assertThat(PresentedToken.of(List.of(), List.of(TOKEN.value()), Optional.empty()).token().orElseThrow().source())
                .isEqualTo(PresentedToken.Source.QUERY);
        assertThat(PresentedToken.of(List.of(TOKEN.value(), TOKEN.value()), List.of(), Optional.empty()))
                .isInstanceOf(PresentedToken.Malformed.class);
        assertThat(PresentedToken.of(List.of(), List.of(" " + TOKEN.value()), Optional.empty()))
                .isInstanceOf(PresentedToken.Malformed.class);
        assertThat(PresentedToken.of(List.of(), List.of(), Optional.empty())).isEqualTo(PresentedToken.NONE);
        assertThat(PresentedToken.of(List.of(TOKEN.value()), List.of(), Optional.empty()).toString())
                .doesNotContain(TOKEN.value());
    }
}
