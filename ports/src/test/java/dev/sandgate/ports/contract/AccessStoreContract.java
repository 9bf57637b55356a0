package dev.sandgate.ports.contract;

// Over 400 lines: one contract for the port, which every store runs whole; split, an implementation could skip part of it.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link AccessStore} must have. An implementation's test extends this class and supplies a
 * fresh, empty store per test and a dump of the store's raw data at rest (its files, its keys and values: whatever a
 * thief copying the store without its key would get); nothing else.
 *
 * <p>Instants are near the real clock ({@link #NOW} is this test's start), because a shared store may let its
 * records expire by the wall clock (Redis does); every decision about expiry is still taken at the instant the test
 * passes, never by reading a clock.
 */
public abstract class AccessStoreContract {
    protected static final SandboxName SANDBOX = SandboxName.of("box");
    protected static final SandboxName OTHER_SANDBOX = SandboxName.of("other-box");
    protected static final PreviewName PREVIEW = PreviewName.of("web");
    protected static final PreviewName OTHER_PREVIEW = PreviewName.of("api");

    protected final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    protected final Instant LATER = NOW.plusSeconds(3600);

    protected AccessStore store;

    /** A fresh, empty store for one test. */
    protected abstract AccessStore newStore();

    /** Everything the store keeps at rest, as text (bytes read as ISO-8859-1 are fine): what a copy would hold. */
    protected abstract String rawData(AccessStore store) throws Exception;

    /**
     * A store that reads {@code store}'s data as a version without session policies would have written it: every
     * policy field removed at rest (the journal's {@code sandgate} objects, the hash's {@code sg.*} fields).
     */
    protected abstract AccessStore asWrittenBeforeScopes(AccessStore store) throws Exception;

    /** Releases what {@link #newStore()} acquired. */
    protected void closeStore(AccessStore store) throws Exception {
    }

    @BeforeEach
    void openStore() {
        store = newStore();
        store.insertPreview(preview(SANDBOX, PREVIEW));
    }

    @AfterEach
    void releaseStore() throws Exception {
        closeStore(store);
    }

    protected Preview preview(SandboxName sandbox, PreviewName name) {
        return new Preview(sandbox, PreviewSpec.privatePort(name, Port.of(3000)),
                "http://broker.example/p/" + sandbox + "/" + name, NOW);
    }

    private PreviewToken mint(String name, Instant expiresAt) {
        return store.mintToken(SANDBOX, PREVIEW, TokenName.of(name), expiresAt, NOW);
    }

    private List<String> mintLive(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            values.add(mint("t" + i, LATER).value().value());
        }
        return values;
    }

    private static List<String> names(List<PreviewToken> tokens) {
        return tokens.stream().map(t -> t.name().value()).toList();
    }

    private boolean verifies(String value) {
        return store.verify(SANDBOX, PREVIEW, value, NOW).isPresent();
    }

    // ------------------------------------------------------------------ previews

    @Test
    void an_inserted_preview_is_found_and_listed_oldest_first() {
        Preview second = store.insertPreview(preview(SANDBOX, OTHER_PREVIEW));
        store.insertPreview(preview(OTHER_SANDBOX, PREVIEW));

        assertThat(store.findPreview(SANDBOX, OTHER_PREVIEW)).contains(second);
        assertThat(store.listPreviews(SANDBOX)).extracting(Preview::name).containsExactly(PREVIEW, OTHER_PREVIEW);
        assertThat(store.listPreviews(OTHER_SANDBOX)).extracting(Preview::name).containsExactly(PREVIEW);
        assertThat(store.listPreviews(SandboxName.of("nobody"))).isEmpty();
        assertThat(store.findPreview(SANDBOX, PreviewName.of("missing"))).isEmpty();
    }

    @Test
    void a_preview_keeps_every_field_it_was_given() {
        PreviewSpec spec = new PreviewSpec(PreviewName.of("full"), Port.of(8443), true,
                HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "*", "X-Frame-Options", "DENY")),
                HttpHeaders.of(Map.of("X-Forwarded-User", "ann")), java.util.Optional.of(LATER.plusNanos(1234)));
        Preview full = new Preview(SANDBOX, spec, "https://full-box.preview.example", NOW.plusNanos(5678));

        store.insertPreview(full);

        assertThat(store.findPreview(SANDBOX, PreviewName.of("full"))).contains(full);
    }

    private static final SessionScopes NARROW = SessionScopes.of(SessionScopes.Operation.FS_READ,
            SessionScopes.Operation.PROCESS_READ).withPaths("/app", "/tmp/a b").withPorts(List.of(Port.of(3000)));

    private Preview session(String name, SessionScopes scopes) {
        PreviewSpec spec = new PreviewSpec(PreviewName.of(name), Port.SANDBOX_API, false, HttpHeaders.NONE,
                HttpHeaders.NONE, java.util.Optional.of(LATER), SessionPolicy.of(scopes));
        return new Preview(SANDBOX, spec, "http://broker.example/s/box/" + name, NOW);
    }

    @Test
    void a_session_keeps_its_scopes_through_insert_find_list_and_replace() {
        Preview narrow = store.insertPreview(session("session-1", NARROW));
        Preview none = store.insertPreview(session("session-2", SessionScopes.of()));

        assertThat(store.findPreview(SANDBOX, narrow.name())).contains(narrow);
        assertThat(store.findPreview(SANDBOX, none.name()).orElseThrow().spec().policy().scopes().operations())
                .isEmpty();
        assertThat(store.listPreviews(SANDBOX)).contains(narrow, none);
        Preview widened = new Preview(SANDBOX, narrow.spec().withPolicy(SessionPolicy.DEFAULT), narrow.url(),
                narrow.createdAt());
        store.replacePreview(widened);
        assertThat(store.findPreview(SANDBOX, narrow.name()).orElseThrow().spec().policy())
                .isEqualTo(SessionPolicy.DEFAULT);
    }

    @Test
    void a_session_keeps_its_subject_origins_quotas_and_renewal_bound_through_insert_find_and_list() {
        SessionPolicy policy = SessionPolicy.builder()
                .subject("alice@example.com")
                .origins("https://app.example", "http://localhost:5173")
                .quotas(SessionQuotas.DEFAULTS.withRequestsPerSecond(20).withConcurrentStreams(3))
                .maxExpiresAt(LATER.plusSeconds(3600))
                .build();
        Preview terms = store.insertPreview(new Preview(SANDBOX, session("session-1", NARROW).spec()
                .withPolicy(policy.toBuilder().scopes(NARROW).build()), "http://broker.example/s/box/session-1", NOW));
        Preview fullScopes = store.insertPreview(new Preview(SANDBOX, session("session-2", SessionScopes.full())
                .spec().withPolicy(policy), "http://broker.example/s/box/session-2", NOW));

        assertThat(store.findPreview(SANDBOX, terms.name())).contains(terms);
        assertThat(store.findPreview(SANDBOX, fullScopes.name())).contains(fullScopes);
        assertThat(store.findPreview(SANDBOX, fullScopes.name()).orElseThrow().spec().policy().scopes().isFull())
                .isTrue();
        assertThat(store.listPreviews(SANDBOX)).contains(terms, fullScopes);
    }

    @Test
    void a_session_written_before_scopes_existed_reads_with_full_scopes() throws Exception {
        store.insertPreview(session("session-1", NARROW));
        store.mintToken(SANDBOX, PreviewName.of("session-1"), TokenName.of("t1"), LATER, NOW);

        AccessStore old = asWrittenBeforeScopes(store);

        Preview read = old.findPreview(SANDBOX, PreviewName.of("session-1")).orElseThrow();
        assertThat(read.spec().policy()).isEqualTo(SessionPolicy.DEFAULT);
        assertThat(read.spec().policy().scopes().isFull()).isTrue();
        assertThat(old.listTokens(SANDBOX, PreviewName.of("session-1"))).hasSize(1);
    }

    @Test
    void inserting_a_taken_preview_name_is_a_conflict_and_keeps_the_first() {
        Preview first = store.findPreview(SANDBOX, PREVIEW).orElseThrow();

        assertThatThrownBy(() -> store.insertPreview(new Preview(SANDBOX, PreviewSpec.publicPort(PREVIEW,
                Port.of(4000)), "http://elsewhere.example", NOW))).isInstanceOf(SandgateException.Conflict.class);

        assertThat(store.findPreview(SANDBOX, PREVIEW)).contains(first);
    }

    @Test
    void replacing_a_preview_keeps_its_tokens_and_its_place() {
        String value = mint("t1", LATER).value().value();
        store.insertPreview(preview(SANDBOX, OTHER_PREVIEW));
        Preview replaced = new Preview(SANDBOX, PreviewSpec.publicPort(PREVIEW, Port.of(4000)),
                "http://broker.example/p/box/web", NOW);

        store.replacePreview(replaced);

        assertThat(store.findPreview(SANDBOX, PREVIEW)).contains(replaced);
        assertThat(store.listPreviews(SANDBOX)).extracting(Preview::name).containsExactly(PREVIEW, OTHER_PREVIEW);
        assertThat(verifies(value)).isTrue();
        assertThatThrownBy(() -> store.replacePreview(preview(SANDBOX, PreviewName.of("missing"))))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void removing_a_preview_returns_it_and_drops_its_tokens() {
        String value = mint("t1", LATER).value().value();

        assertThat(store.removePreview(SANDBOX, PREVIEW)).map(Preview::name).contains(PREVIEW);

        assertThat(store.findPreview(SANDBOX, PREVIEW)).isEmpty();
        assertThat(store.listPreviews(SANDBOX)).isEmpty();
        assertThat(store.listTokens(SANDBOX, PREVIEW)).isEmpty();
        assertThat(verifies(value)).isFalse();
        assertThat(store.removePreview(SANDBOX, PREVIEW)).isEmpty();
    }

    @Test
    void a_preview_recreated_under_a_removed_name_inherits_no_token() {
        String value = mint("t1", LATER).value().value();
        store.removePreview(SANDBOX, PREVIEW);

        store.insertPreview(preview(SANDBOX, PREVIEW));

        assertThat(store.listTokens(SANDBOX, PREVIEW)).isEmpty();
        assertThat(verifies(value)).isFalse();
    }

    @Test
    void removing_a_sandbox_drops_its_previews_and_tokens_and_no_other() {
        String value = mint("t1", LATER).value().value();
        store.insertPreview(preview(SANDBOX, OTHER_PREVIEW));
        store.insertPreview(preview(OTHER_SANDBOX, PREVIEW));
        String otherValue = store.mintToken(OTHER_SANDBOX, PREVIEW, TokenName.of("t1"), LATER, NOW).value().value();

        store.removeSandbox(SANDBOX);

        assertThat(store.listPreviews(SANDBOX)).isEmpty();
        assertThat(store.listTokens(SANDBOX, PREVIEW)).isEmpty();
        assertThat(verifies(value)).isFalse();
        assertThat(store.listPreviews(OTHER_SANDBOX)).hasSize(1);
        assertThat(store.verify(OTHER_SANDBOX, PREVIEW, otherValue, NOW)).isPresent();
        store.removeSandbox(SandboxName.of("nobody")); // nothing to drop: no failure
    }

    // ------------------------------------------------------------------ minting

    @Test
    void a_minted_token_is_listed_newest_first_with_the_value_it_was_minted_with() {
        PreviewToken first = mint("first", LATER);
        PreviewToken second = mint("second", LATER.plusSeconds(1));

        List<PreviewToken> listed = store.listTokens(SANDBOX, PREVIEW);

        assertThat(listed).containsExactly(second, first);
        assertThat(listed.get(1).value().matches(first.value().value())).isTrue();
        assertThat(first.sandbox()).isEqualTo(SANDBOX);
        assertThat(first.preview()).isEqualTo(PREVIEW);
        assertThat(first.expiresAt()).isEqualTo(LATER);
        assertThat(first.value().value()).isNotEqualTo(second.value().value()).hasSizeGreaterThanOrEqualTo(22);
        assertThat(store.listTokens(SANDBOX, PreviewName.of("missing"))).isEmpty();
    }

    @Test
    void minting_for_an_unknown_preview_is_not_found_and_a_taken_name_a_conflict() {
        mint("t1", LATER);

        assertThatThrownBy(() -> store.mintToken(SANDBOX, PreviewName.of("missing"), TokenName.of("t"), LATER, NOW))
                .isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> store.mintToken(OTHER_SANDBOX, PREVIEW, TokenName.of("t"), LATER, NOW))
                .isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> mint("t1", LATER.plusSeconds(5))).isInstanceOf(SandgateException.Conflict.class);
        assertThat(store.listTokens(SANDBOX, PREVIEW)).singleElement().satisfies(t ->
                assertThat(t.expiresAt()).isEqualTo(LATER));
    }

    @Test
    void a_removed_token_is_returned_and_stops_verifying_and_its_name_is_free_again() {
        PreviewToken minted = mint("t1", LATER);

        assertThat(store.removeToken(SANDBOX, PREVIEW, TokenName.of("t1"))).hasValueSatisfying(t -> {
            assertThat(t.name()).isEqualTo(minted.name());
            assertThat(t.value().matches(minted.value().value())).isTrue();
        });

        assertThat(verifies(minted.value().value())).isFalse();
        assertThat(store.listTokens(SANDBOX, PREVIEW)).isEmpty();
        assertThat(store.removeToken(SANDBOX, PREVIEW, TokenName.of("t1"))).isEmpty();
        assertThat(store.removeToken(SANDBOX, PreviewName.of("missing"), TokenName.of("t1"))).isEmpty();
        PreviewToken again = mint("t1", LATER);
        assertThat(again.value().matches(minted.value().value())).isFalse();
        assertThat(verifies(again.value().value())).isTrue();
        assertThat(verifies(minted.value().value())).isFalse();
    }

    // ------------------------------------------------------------------ the cap (R8) and eviction

    @Test
    void minting_the_eleventh_token_evicts_the_oldest_and_its_value_no_longer_verifies() {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW);

        PreviewToken eleventh = mint("t11", LATER);

        assertThat(verifies(values.get(0))).isFalse();
        assertThat(verifies(values.get(1))).isTrue();
        assertThat(verifies(eleventh.value().value())).isTrue();
        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).containsExactly("t11", "t10", "t9", "t8", "t7", "t6",
                "t5", "t4", "t3", "t2");
    }

    @Test
    void expired_tokens_make_room_before_any_live_one_oldest_first() {
        Instant soon = NOW.plusSeconds(10);
        mint("live-1", LATER);
        mint("short-1", soon);
        mint("live-2", LATER);
        mint("short-2", soon);
        for (int i = 3; i <= PreviewToken.MAX_PER_PREVIEW - 2; i++) {
            mint("live-" + i, LATER);
        }
        assertThat(store.listTokens(SANDBOX, PREVIEW)).hasSize(PreviewToken.MAX_PER_PREVIEW);

        assertThat(evictedByMinting("fresh-1", soon)).containsExactly("short-1");
        assertThat(evictedByMinting("fresh-2", soon)).containsExactly("short-2");
        assertThat(evictedByMinting("fresh-3", soon)).containsExactly("live-1");
        assertThat(evictedByMinting("fresh-4", soon)).containsExactly("live-2");
    }

    private List<String> evictedByMinting(String name, Instant now) {
        List<String> before = new ArrayList<>(names(store.listTokens(SANDBOX, PREVIEW)));
        store.mintToken(SANDBOX, PREVIEW, TokenName.of(name), LATER, now);
        before.removeAll(names(store.listTokens(SANDBOX, PREVIEW)));
        return before;
    }

    @Test
    void the_instant_given_to_mint_decides_which_tokens_have_expired() {
        Instant shortExpiry = NOW.plusSeconds(10);
        String longLived = mint("long-lived", LATER).value().value();
        for (int i = 1; i < PreviewToken.MAX_PER_PREVIEW; i++) {
            mint("short" + i, shortExpiry);
        }

        store.mintToken(SANDBOX, PREVIEW, TokenName.of("fresh"), LATER, shortExpiry);

        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).contains("long-lived").doesNotContain("short1");
        assertThat(verifies(longLived)).isTrue();

        store.mintToken(SANDBOX, PREVIEW, TokenName.of("fresh-2"), LATER, NOW); // the short ones are live at NOW

        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).doesNotContain("long-lived").contains("short2");
        assertThat(verifies(longLived)).isFalse();
    }

    @Test
    void the_cap_of_one_preview_never_touches_the_tokens_of_another() {
        store.insertPreview(preview(SANDBOX, OTHER_PREVIEW));
        String other = store.mintToken(SANDBOX, OTHER_PREVIEW, TokenName.of("t1"), LATER, NOW).value().value();

        mintLive(PreviewToken.MAX_PER_PREVIEW + 5);

        assertThat(store.verify(SANDBOX, OTHER_PREVIEW, other, NOW)).isPresent();
        assertThat(store.listTokens(SANDBOX, OTHER_PREVIEW)).hasSize(1);
        assertThat(store.listTokens(SANDBOX, PREVIEW)).hasSize(PreviewToken.MAX_PER_PREVIEW);
    }

    // ------------------------------------------------------------------ verification

    @Test
    void a_token_verifies_for_its_own_preview_only() {
        store.insertPreview(preview(SANDBOX, OTHER_PREVIEW));
        store.insertPreview(preview(OTHER_SANDBOX, PREVIEW));
        PreviewToken token = mint("t1", LATER);
        String value = token.value().value();

        assertThat(store.verify(SANDBOX, PREVIEW, value, NOW)).hasValueSatisfying(t -> {
            assertThat(t.name()).isEqualTo(token.name());
            assertThat(t.expiresAt()).isEqualTo(LATER);
        });
        assertThat(store.verify(SANDBOX, OTHER_PREVIEW, value, NOW)).isEmpty();
        assertThat(store.verify(OTHER_SANDBOX, PREVIEW, value, NOW)).isEmpty();
    }

    @Test
    void verify_refuses_a_token_and_a_preview_at_the_exact_instant_they_expire() {
        Instant tokenExpiry = NOW.plusSeconds(30);
        String value = mint("t1", tokenExpiry).value().value();

        assertThat(store.verify(SANDBOX, PREVIEW, value, tokenExpiry.minusMillis(1))).isPresent();
        assertThat(store.verify(SANDBOX, PREVIEW, value, tokenExpiry)).isEmpty();

        Instant previewExpiry = NOW.plusSeconds(20);
        PreviewName expiring = PreviewName.of("expiring");
        store.insertPreview(new Preview(SANDBOX, PreviewSpec.privatePort(expiring, Port.of(3000))
                .withExpires(previewExpiry), "http://broker.example/p/box/expiring", NOW));
        String onExpiring = store.mintToken(SANDBOX, expiring, TokenName.of("t1"), LATER, NOW).value().value();

        assertThat(store.verify(SANDBOX, expiring, onExpiring, previewExpiry.minusMillis(1))).isPresent();
        assertThat(store.verify(SANDBOX, expiring, onExpiring, previewExpiry)).isEmpty();
    }

    @Test
    void verify_refuses_unknown_malformed_and_tampered_values_without_throwing() {
        String value = mint("t1", LATER).value().value();
        char last = value.charAt(value.length() - 1);
        String tampered = value.substring(0, value.length() - 1) + (last == 'A' ? 'E' : 'A');

        for (String presented : List.of("", "x", "bxp_", tampered, value + "A", value.substring(1), " " + value,
                value.toUpperCase(java.util.Locale.ROOT), "bxp_" + "A".repeat(43), "\u0000".repeat(47),
                "bxp_\u00e9" + "A".repeat(42), "A".repeat(10_000))) {
            assertThat(store.verify(SANDBOX, PREVIEW, presented, NOW)).as(presented.length() + " chars").isEmpty();
        }
        assertThat(store.verify(SANDBOX, PREVIEW, null, NOW)).isEmpty();
        assertThat(verifies(value)).isTrue();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrent_mints_into_one_preview_never_exceed_the_cap_nor_lose_a_token() throws Exception {
        int threads = 16;
        int perThread = 12;
        ConcurrentLinkedQueue<String> minted = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                minted.add(mint("t-" + thread + "-" + i, LATER).value().value());
            }
        });

        List<PreviewToken> listed = store.listTokens(SANDBOX, PREVIEW);
        assertThat(listed).hasSize(PreviewToken.MAX_PER_PREVIEW);
        List<String> kept = listed.stream().map(t -> t.value().value()).toList();
        assertThat(minted).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(minted).allSatisfy(v -> assertThat(verifies(v)).isEqualTo(kept.contains(v)));
        // the survivors are the last minted of each thread: a thread's tokens are evicted in its own order
        for (int t = 0; t < threads; t++) {
            String prefix = "t-" + t + "-";
            List<Integer> ofThread = names(listed).stream().filter(n -> n.startsWith(prefix))
                    .map(n -> Integer.parseInt(n.substring(prefix.length()))).toList();
            assertThat(ofThread).as(prefix).isSortedAccordingTo((a, b) -> b - a);
            if (!ofThread.isEmpty()) {
                assertThat(ofThread.get(0)).as(prefix).isEqualTo(perThread - 1);
            }
        }
    }

    @Test
    void concurrent_mints_of_one_name_give_one_token_and_conflicts() throws Exception {
        int threads = 8;
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, thread -> {
            try {
                mint("same", LATER);
                outcomes.add("minted");
            } catch (SandgateException.Conflict e) {
                outcomes.add("conflict");
            }
        });

        assertThat(outcomes).hasSize(threads).containsOnlyOnce("minted");
        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).containsExactly("same");
    }

    @Test
    void concurrent_mints_into_previews_of_their_own_all_verify() throws Exception {
        int threads = 8;
        int perThread = 15;
        List<PreviewName> previews = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            previews.add(PreviewName.of("web-" + t));
            store.insertPreview(preview(SANDBOX, previews.get(t)));
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                PreviewToken token = store.mintToken(SANDBOX, previews.get(thread), TokenName.of("t-" + i), LATER,
                        NOW);
                if (store.verify(SANDBOX, previews.get(thread), token.value().value(), NOW).isEmpty()) {
                    failures.add(token.name().value());
                }
            }
        });

        assertThat(failures).isEmpty();
        for (PreviewName preview : previews) {
            assertThat(names(store.listTokens(SANDBOX, preview))).as(preview.value()).containsExactly("t-14", "t-13",
                    "t-12", "t-11", "t-10", "t-9", "t-8", "t-7", "t-6", "t-5");
        }
    }

    // ------------------------------------------------------------------ revoke-all

    /** A session (port 443, expiring {@link #LATER}) created at {@code createdAt}, for {@code subject} if given. */
    protected Preview sessionOf(String name, java.util.Optional<String> subject, Instant createdAt) {
        SessionPolicy policy = subject.map(s -> SessionPolicy.builder().subject(s).build()).orElse(SessionPolicy.DEFAULT);
        PreviewSpec spec = new PreviewSpec(PreviewName.of(name), Port.SANDBOX_API, false, HttpHeaders.NONE,
                HttpHeaders.NONE, java.util.Optional.of(LATER), policy);
        return new Preview(SANDBOX, spec, "http://broker.example/s/box/" + name, createdAt);
    }

    private String mintFor(String session) {
        return store.mintToken(SANDBOX, PreviewName.of(session), TokenName.of("t"), LATER, NOW).value().value();
    }

    @Test
    void revoking_every_session_removes_those_issued_up_to_the_instant_with_their_tokens_and_counts_them() {
        store.insertPreview(sessionOf("session-1", java.util.Optional.empty(), NOW));
        store.insertPreview(sessionOf("session-2", java.util.Optional.of("user-42"), NOW.plusMillis(5)));
        store.insertPreview(sessionOf("session-3", java.util.Optional.empty(), NOW.plusMillis(10)));
        String one = mintFor("session-1");
        String two = mintFor("session-2");
        String three = mintFor("session-3");
        String app = mint("app", LATER).value().value();

        int revoked = store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW.plusMillis(5));

        assertThat(revoked).isEqualTo(2);
        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-1"))).isEmpty();
        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-2"))).isEmpty();
        assertThat(store.verify(SANDBOX, PreviewName.of("session-1"), one, NOW)).isEmpty();
        assertThat(store.verify(SANDBOX, PreviewName.of("session-2"), two, NOW)).isEmpty();
        assertThat(store.verify(SANDBOX, PreviewName.of("session-3"), three, NOW)).isPresent();
        assertThat(verifies(app)).as("an application preview is no session").isTrue();
        assertThat(store.listPreviews(SANDBOX)).extracting(Preview::name)
                .containsExactly(PREVIEW, PreviewName.of("session-3"));
    }

    @Test
    void revoking_a_subject_leaves_the_sessions_of_others_and_of_no_subject_and_of_other_sandboxes() {
        store.insertPreview(sessionOf("session-1", java.util.Optional.of("user-42"), NOW));
        store.insertPreview(sessionOf("session-2", java.util.Optional.of("user-7"), NOW));
        store.insertPreview(sessionOf("session-3", java.util.Optional.empty(), NOW));
        Preview elsewhere = sessionOf("session-1", java.util.Optional.of("user-42"), NOW);
        store.insertPreview(new Preview(OTHER_SANDBOX, elsewhere.spec(), elsewhere.url(), NOW));
        String other = mintFor("session-2");

        assertThat(store.revokeSessions(SANDBOX, java.util.Optional.of(dev.sandgate.domain.SessionSubject.of("user-42")),
                NOW.plusSeconds(1))).isEqualTo(1);

        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-1"))).isEmpty();
        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-2"))).isPresent();
        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-3"))).isPresent();
        assertThat(store.findPreview(OTHER_SANDBOX, PreviewName.of("session-1"))).isPresent();
        assertThat(store.verify(SANDBOX, PreviewName.of("session-2"), other, NOW)).isPresent();
        assertThat(store.insertPreview(sessionOf("session-4", java.util.Optional.of("user-7"), NOW)).name().value())
                .isEqualTo("session-4");
    }

    @Test
    void a_session_created_before_a_revocation_but_reaching_the_store_after_it_is_refused() {
        store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW.plusMillis(1));

        assertThatThrownBy(() -> store.insertPreview(sessionOf("session-1", java.util.Optional.empty(),
                NOW.plusMillis(1)))).isInstanceOf(SandgateException.Conflict.class).hasMessageContaining("revoked");
        assertThat(store.findPreview(SANDBOX, PreviewName.of("session-1"))).isEmpty();
        Preview after = store.insertPreview(sessionOf("session-2", java.util.Optional.empty(), NOW.plusMillis(1)
                .plusNanos(1)));
        assertThat(store.findPreview(SANDBOX, after.name())).contains(after);
        assertThat(store.insertPreview(preview(SANDBOX, OTHER_PREVIEW)).name()).as("an application preview")
                .isEqualTo(OTHER_PREVIEW);
    }

    @Test
    void a_session_cannot_be_replaced_into_a_subject_whose_sessions_were_revoked() {
        Preview session = store.insertPreview(sessionOf("session-1", java.util.Optional.of("user-7"), NOW));
        store.revokeSessions(SANDBOX, java.util.Optional.of(dev.sandgate.domain.SessionSubject.of("user-42")),
                NOW.plusSeconds(1));

        Preview renamed = new Preview(SANDBOX, session.spec().withPolicy(SessionPolicy.builder().subject("user-42")
                .build()), session.url(), session.createdAt());

        assertThatThrownBy(() -> store.replacePreview(renamed)).isInstanceOf(SandgateException.Conflict.class);
        assertThat(store.findPreview(SANDBOX, session.name())).contains(session);
    }

    @Test
    void a_revocation_with_an_earlier_instant_never_lowers_a_later_one() {
        store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW.plusSeconds(10));
        store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW);

        assertThatThrownBy(() -> store.insertPreview(sessionOf("session-1", java.util.Optional.empty(),
                NOW.plusSeconds(5)))).isInstanceOf(SandgateException.Conflict.class);
    }

    @Test
    void removing_a_sandbox_forgets_its_revocations_and_an_expired_session_is_removed_but_not_counted() {
        store.insertPreview(sessionOf("session-1", java.util.Optional.empty(), NOW));
        Preview expired = sessionOf("session-2", java.util.Optional.empty(), NOW);
        store.insertPreview(new Preview(SANDBOX, expired.spec().withExpires(NOW.plusMillis(1)), expired.url(), NOW));

        assertThat(store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW.plusSeconds(1))).isEqualTo(1);
        assertThat(store.listPreviews(SANDBOX)).extracting(Preview::name).containsExactly(PREVIEW);

        store.removeSandbox(SANDBOX);
        Preview again = store.insertPreview(sessionOf("session-3", java.util.Optional.empty(), NOW));
        assertThat(store.findPreview(SANDBOX, again.name())).contains(again);
    }

    // ------------------------------------------------------------------ renewal in place

    @Test
    void a_renewal_moves_the_session_and_the_tokens_that_expired_with_it_and_keeps_their_values() {
        Preview session = store.insertPreview(sessionOf("session-1", java.util.Optional.empty(), NOW));
        String value = mintFor("session-1");
        PreviewToken shorter = store.mintToken(SANDBOX, session.name(), TokenName.of("short"), NOW.plusSeconds(60),
                NOW);
        Instant renewed = LATER.plusSeconds(3600).plusNanos(1500);

        Preview answer = store.renewSession(SANDBOX, session.name(), renewed, NOW).orElseThrow();

        assertThat(answer.expires()).contains(renewed);
        assertThat(store.findPreview(SANDBOX, session.name()).orElseThrow().expires()).contains(renewed);
        assertThat(store.verify(SANDBOX, session.name(), value, LATER.plusSeconds(60)))
                .as("valid past the old expiry").isPresent()
                .get().extracting(PreviewToken::expiresAt).isEqualTo(renewed);
        assertThat(store.verify(SANDBOX, session.name(), value, renewed)).isEmpty();
        assertThat(store.listTokens(SANDBOX, session.name())).extracting(t -> t.name().value(), PreviewToken::expiresAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("short", shorter.expiresAt()),
                        org.assertj.core.groups.Tuple.tuple("t", renewed));
        assertThat(store.listTokens(SANDBOX, session.name()).get(1).value().value()).isEqualTo(value);
    }

    @Test
    void a_renewal_never_shortens_and_an_expired_or_missing_session_or_an_application_preview_is_not_renewed() {
        Preview session = store.insertPreview(sessionOf("session-1", java.util.Optional.empty(), NOW));

        assertThat(store.renewSession(SANDBOX, session.name(), NOW.plusSeconds(10), NOW).orElseThrow().expires())
                .contains(LATER);
        assertThat(store.renewSession(SANDBOX, session.name(), LATER.plusSeconds(10), LATER)).isEmpty();
        assertThat(store.renewSession(SANDBOX, PreviewName.of("session-9"), LATER.plusSeconds(10), NOW)).isEmpty();
        assertThat(store.renewSession(SANDBOX, PREVIEW, LATER.plusSeconds(10), NOW)).isEmpty();
        assertThat(store.findPreview(SANDBOX, session.name()).orElseThrow().expires()).contains(LATER);
    }

    // ------------------------------------------------------------------ at rest

    @Test
    void a_copy_of_the_raw_data_holds_no_token_value() throws Exception {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW);
        store.insertPreview(preview(SANDBOX, PreviewName.of("session-1")));
        values.add(store.mintToken(SANDBOX, PreviewName.of("session-1"), TokenName.of("session"), LATER, NOW)
                .value().value());

        String everything = rawData(store);

        assertThat(everything).contains("t7");
        for (String value : values) {
            String secret = value.substring(value.length() - 22); // any long run of the secret's characters
            assertThat(everything).doesNotContain(value).doesNotContain(secret);
        }
    }

    // ------------------------------------------------------------------ helpers

    protected interface Work {
        void run(int thread) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads released together, and fails with the first failure. */
    protected static void runConcurrently(int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    work.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
