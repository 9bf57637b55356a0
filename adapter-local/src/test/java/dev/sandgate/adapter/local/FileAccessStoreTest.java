package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAccessStoreTest {
    private static final SandboxName SANDBOX = SandboxName.of("box");
    private static final SandboxName OTHER_SANDBOX = SandboxName.of("other-box");
    private static final PreviewName PREVIEW = PreviewName.of("web");
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Instant LATER = NOW.plusSeconds(3600);

    @TempDir
    Path dataDir;
    FileAccessStore store;

    @BeforeEach
    void setUp() {
        store = open(dataDir);
        store.insertPreview(preview(SANDBOX, PREVIEW, false));
    }

    private static FileAccessStore open(Path dataDir) {
        return FileAccessStore.open(dataDir.resolve("access"), dataDir.resolve("secret.key"), false);
    }

    private static Preview preview(SandboxName sandbox, PreviewName name, boolean isPublic) {
        PreviewSpec spec = isPublic ? PreviewSpec.publicPort(name, Port.of(3000))
                : PreviewSpec.privatePort(name, Port.of(3000));
        return new Preview(sandbox, spec, "http://broker.example/p/" + sandbox + "/" + name, NOW);
    }

    private PreviewToken mint(String name, Instant expiresAt) {
        return mint(PREVIEW, name, expiresAt);
    }

    private PreviewToken mint(PreviewName preview, String name, Instant expiresAt) {
        return store.mintToken(SANDBOX, preview, TokenName.of(name), expiresAt, NOW);
    }

    /** Mints {@code t1..t<count>}, in that order, all live until {@link #LATER}; returns their values. */
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

    @Test
    void token_is_bxp_and_43_url_safe_characters() {
        PreviewToken token = mint("t1", LATER);

        assertThat(token.value().value()).matches("bxp_[A-Za-z0-9_-]{43}");
    }

    @Test
    void minted_token_verifies_for_its_own_preview_only() {
        store.insertPreview(preview(SANDBOX, PreviewName.of("api"), false));
        store.insertPreview(preview(OTHER_SANDBOX, PREVIEW, false));
        String value = mint("t1", LATER).value().value();

        assertThat(store.verify(SANDBOX, PREVIEW, value, NOW)).map(PreviewToken::name).contains(TokenName.of("t1"));
        assertThat(store.verify(SANDBOX, PreviewName.of("api"), value, NOW)).isEmpty();
        assertThat(store.verify(OTHER_SANDBOX, PREVIEW, value, NOW)).isEmpty();
    }

    @Test
    void verify_refuses_expired_tokens_and_expired_previews_at_the_exact_instant() {
        String value = mint("t1", LATER).value().value();

        assertThat(store.verify(SANDBOX, PREVIEW, value, LATER.minusNanos(1))).isPresent();
        assertThat(store.verify(SANDBOX, PREVIEW, value, LATER)).isEmpty();

        Preview expiring = preview(SANDBOX, PREVIEW, false);
        store.replacePreview(new Preview(SANDBOX, expiring.spec().withExpires(NOW.plusSeconds(10)), expiring.url(),
                NOW));
        assertThat(store.verify(SANDBOX, PREVIEW, value, NOW.plusSeconds(10))).isEmpty();
    }

    @Test
    void verify_refuses_malformed_and_tampered_values_without_throwing() {
        String value = mint("t1", LATER).value().value();
        char last = value.charAt(value.length() - 1);
        String tampered = value.substring(0, value.length() - 1) + (last == 'A' ? 'E' : 'A');

        for (String bad : new String[] {"", "bxp_", value + "A", value.substring(1), " " + value, value.trim() + " ",
                "bxp_" + "!".repeat(43), tampered, "x".repeat(10_000)}) {
            assertThat(store.verify(SANDBOX, PREVIEW, bad, NOW)).as(bad.length() > 60 ? "long" : bad).isEmpty();
        }
        assertThat(store.verify(SANDBOX, PREVIEW, null, NOW)).isEmpty();
    }

    @Test
    void removed_token_and_removed_preview_stop_verifying() {
        String kept = mint("kept", LATER).value().value();
        String dropped = mint("dropped", LATER).value().value();

        store.removeToken(SANDBOX, PREVIEW, TokenName.of("dropped"));
        assertThat(store.verify(SANDBOX, PREVIEW, dropped, NOW)).isEmpty();
        assertThat(store.verify(SANDBOX, PREVIEW, kept, NOW)).isPresent();

        store.removePreview(SANDBOX, PREVIEW);
        store.insertPreview(preview(SANDBOX, PREVIEW, false));
        assertThat(store.verify(SANDBOX, PREVIEW, kept, NOW)).isEmpty();
        assertThat(store.listTokens(SANDBOX, PREVIEW)).isEmpty();
    }

    @Test
    void a_recreated_token_of_the_same_name_gets_a_new_value() {
        String first = mint("t1", LATER).value().value();
        store.removeToken(SANDBOX, PREVIEW, TokenName.of("t1"));

        String second = mint("t1", LATER).value().value();

        assertThat(second).isNotEqualTo(first);
        assertThat(store.verify(SANDBOX, PREVIEW, first, NOW)).isEmpty();
    }

    @Test
    void minting_for_an_unknown_preview_or_a_taken_name_fails() {
        mint("t1", LATER);

        assertThatThrownBy(() -> mint("t1", LATER)).isInstanceOf(SandgateException.Conflict.class);
        assertThatThrownBy(() -> mint(PreviewName.of("missing"), "t", LATER))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void listed_values_are_derived_again_and_equal_the_minted_ones() {
        PreviewToken older = mint("older", LATER);
        PreviewToken newer = mint("newer", LATER);

        List<PreviewToken> listed = store.listTokens(SANDBOX, PREVIEW);

        assertThat(listed).extracting(t -> t.name().value()).containsExactly("newer", "older");
        assertThat(listed.get(0).value()).isEqualTo(newer.value());
        assertThat(listed.get(1).value()).isEqualTo(older.value());
    }

    @Test
    void previews_and_tokens_survive_a_restart_and_still_verify() {
        store.insertPreview(preview(SANDBOX, PreviewName.of("second"), true));
        PreviewToken token = mint("t1", LATER);

        FileAccessStore reopened = open(dataDir);

        assertThat(reopened.listPreviews(SANDBOX)).extracting(p -> p.name().value()).containsExactly("web", "second");
        assertThat(reopened.findPreview(SANDBOX, PREVIEW)).contains(preview(SANDBOX, PREVIEW, false));
        assertThat(reopened.verify(SANDBOX, PREVIEW, token.value().value(), NOW)).contains(token);
        assertThat(reopened.listTokens(SANDBOX, PREVIEW)).containsExactly(token);
    }

    private static Preview session(String name, String subject, Instant createdAt) {
        PreviewSpec spec = new PreviewSpec(PreviewName.of(name), Port.SANDBOX_API, false,
                dev.sandgate.domain.HttpHeaders.NONE, dev.sandgate.domain.HttpHeaders.NONE,
                java.util.Optional.of(LATER), dev.sandgate.domain.SessionPolicy.builder().subject(subject).build());
        return new Preview(SANDBOX, spec, "http://broker.example/s/box/" + name, createdAt);
    }

    @Test
    void a_revocation_survives_restarts_and_compaction_and_still_refuses_a_session_issued_before_it() {
        store.insertPreview(session("session-1", "user-42", NOW));
        store.insertPreview(session("session-2", "user-7", NOW));
        store.revokeSessions(SANDBOX, java.util.Optional.of(dev.sandgate.domain.SessionSubject.of("user-42")),
                NOW.plusSeconds(1));
        store.revokeSessions(SANDBOX, java.util.Optional.empty(), NOW.minusSeconds(1));

        FileAccessStore reopened = open(dataDir);
        FileAccessStore compactedAndReopened = open(dataDir); // the first reopening wrote the journal anew

        for (FileAccessStore s : List.of(reopened, compactedAndReopened)) {
            assertThat(s.listPreviews(SANDBOX)).extracting(p -> p.name().value()).containsExactly("web", "session-2");
            assertThatThrownBy(() -> s.insertPreview(session("session-3", "user-42", NOW.plusMillis(500))))
                    .isInstanceOf(SandgateException.Conflict.class);
            assertThatThrownBy(() -> s.insertPreview(session("session-4", "user-7", NOW.minusSeconds(2))))
                    .isInstanceOf(SandgateException.Conflict.class);
        }
        assertThat(compactedAndReopened.insertPreview(session("session-5", "user-7", NOW)).name().value())
                .isEqualTo("session-5");
    }

    @Test
    void a_corrupt_journal_line_is_skipped_and_the_token_it_held_fails_closed() throws IOException {
        String kept = mint("kept", LATER).value().value();
        store.insertPreview(preview(SANDBOX, PreviewName.of("broken"), false));
        String value = mint(PreviewName.of("broken"), "t", LATER).value().value();
        Path journal = dataDir.resolve("access/journal.log");
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        lines.set(lines.size() - 1, "{\"version\":1,\"op\":\"put\",\"preview\":{\"name\":");
        Files.write(journal, lines);

        FileAccessStore reopened = open(dataDir);

        assertThat(reopened.verify(SANDBOX, PreviewName.of("broken"), value, NOW)).isEmpty();
        assertThat(reopened.listTokens(SANDBOX, PreviewName.of("broken"))).isEmpty();
        assertThat(reopened.verify(SANDBOX, PREVIEW, kept, NOW)).isPresent();
    }

    @Test
    void a_last_line_torn_by_a_crash_is_ignored_and_dropped_when_the_store_opens() throws IOException {
        String value = mint("t1", LATER).value().value();
        Path journal = dataDir.resolve("access/journal.log");
        Files.write(journal, "{\"version\":1,\"op\":\"del\",\"sandbox\":\"box\",\"na".getBytes(
                StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);

        FileAccessStore reopened = open(dataDir);

        assertThat(reopened.verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
        assertThat(Files.readString(journal)).endsWith("\n").doesNotContain("\"del\"");
        assertThat(open(dataDir).verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
    }

    @Test
    void a_store_of_one_file_per_preview_is_moved_into_the_journal_and_its_tokens_still_verify()
            throws IOException {
        String value = mint("t1", LATER).value().value();
        Path journal = dataDir.resolve("access/journal.log");
        String line = Files.readAllLines(journal).stream().filter(l -> l.contains("\"t1\"")).findFirst()
                .orElseThrow();
        String record = line.substring(line.indexOf("\"preview\":") + "\"preview\":".length(),
                line.lastIndexOf(",\"version\":")); // the fields are in alphabetical order
        Files.createDirectories(dataDir.resolve("access/box"));
        Files.writeString(dataDir.resolve("access/box/web.json"), record);
        Files.delete(journal);

        FileAccessStore reopened = open(dataDir);

        assertThat(reopened.verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
        assertThat(dataDir.resolve("access/box")).doesNotExist();
        assertThat(open(dataDir).verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
    }

    @Test
    void the_records_never_hold_a_token_value() throws IOException {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW);

        String everything = allBytes(dataDir.resolve("access"));

        assertThat(everything).contains("\"t7\"");
        for (String value : values) {
            assertThat(everything).doesNotContain(value).doesNotContain(value.substring(4));
        }
    }

    @Test
    void a_copy_of_the_data_directory_without_the_key_yields_no_usable_token(@TempDir Path copy) throws IOException {
        String value = mint("t1", LATER).value().value();
        copyTree(dataDir.resolve("access"), copy.resolve("access"));

        FileAccessStore thief = open(copy); // no key there: a fresh one is made

        assertThat(thief.listTokens(SANDBOX, PREVIEW)).singleElement()
                .satisfies(t -> assertThat(t.value().matches(value)).isFalse());
        assertThat(thief.verify(SANDBOX, PREVIEW, value, NOW)).isEmpty();
        assertThat(allBytes(copy)).doesNotContain(value).doesNotContain(value.substring(4));
    }

    @Test
    void the_key_file_is_owner_only_and_kept_across_restarts() throws IOException {
        Path key = dataDir.resolve("secret.key");
        byte[] before = Files.readAllBytes(key);

        open(dataDir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(before).hasSize(32);
        assertThat(Files.readAllBytes(key)).isEqualTo(before);
    }

    @Test
    void a_key_kept_outside_the_data_directory_is_used(@TempDir Path vault) {
        Path key = vault.resolve("sandgate.key");
        FileAccessStore outside = FileAccessStore.open(dataDir.resolve("elsewhere"), key, false);
        outside.insertPreview(preview(SANDBOX, PREVIEW, false));
        String value = outside.mintToken(SANDBOX, PREVIEW, TokenName.of("t"), LATER, NOW).value().value();

        FileAccessStore reopened = FileAccessStore.open(dataDir.resolve("elsewhere"), key, false);

        assertThat(key).exists();
        assertThat(reopened.verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
    }

    @Test
    void removing_a_sandbox_drops_its_previews_tokens_and_files() throws IOException {
        String value = mint("t1", LATER).value().value();

        store.removeSandbox(SANDBOX);

        assertThat(store.listPreviews(SANDBOX)).isEmpty();
        assertThat(store.verify(SANDBOX, PREVIEW, value, NOW)).isEmpty();
        assertThat(open(dataDir).listPreviews(SANDBOX)).isEmpty();
        assertThat(Files.readString(dataDir.resolve("access/journal.log"))).doesNotContain("\"box\"");
    }

    /** Each thread mints into a preview of its own, so each of its tokens verifies until its own next ten. */
    @Test
    void concurrent_mints_and_verifications_agree() throws Exception {
        int threads = 8;
        int perThread = 25;
        List<PreviewName> previews = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            previews.add(PreviewName.of("web-" + t));
            store.insertPreview(preview(SANDBOX, previews.get(t), false));
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                PreviewToken token = mint(previews.get(thread), "t-" + i, LATER);
                if (store.verify(SANDBOX, previews.get(thread), token.value().value(), NOW).isEmpty()) {
                    failures.add(token.name().value());
                }
            }
        });

        assertThat(failures).isEmpty();
        FileAccessStore reopened = open(dataDir);
        for (PreviewName preview : previews) {
            List<PreviewToken> listed = store.listTokens(SANDBOX, preview);
            assertThat(names(listed)).as(preview.value()).containsExactly("t-24", "t-23", "t-22", "t-21", "t-20",
                    "t-19", "t-18", "t-17", "t-16", "t-15");
            assertThat(reopened.listTokens(SANDBOX, preview)).containsExactlyElementsOf(listed);
        }
    }

    // ------------------------------------------------------------------ the cap on tokens per preview

    @Test
    void minting_the_11th_token_evicts_the_oldest_and_its_value_no_longer_verifies() {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW);

        PreviewToken eleventh = mint("t11", LATER);

        assertThat(store.verify(SANDBOX, PREVIEW, values.get(0), NOW)).isEmpty();
        assertThat(store.verify(SANDBOX, PREVIEW, values.get(1), NOW)).isPresent();
        assertThat(store.verify(SANDBOX, PREVIEW, eleventh.value().value(), NOW)).isPresent();
        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).hasSize(PreviewToken.MAX_PER_PREVIEW)
                .doesNotContain("t1").startsWith("t11");
        assertThat(store.tokenCount()).isEqualTo(PreviewToken.MAX_PER_PREVIEW);
    }

    @Test
    void an_eviction_survives_a_reopen_of_the_store() throws IOException {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW + 1);

        FileAccessStore reopened = open(dataDir);

        assertThat(names(reopened.listTokens(SANDBOX, PREVIEW))).containsExactly("t11", "t10", "t9", "t8", "t7",
                "t6", "t5", "t4", "t3", "t2");
        assertThat(reopened.verify(SANDBOX, PREVIEW, values.get(0), NOW)).isEmpty();
        assertThat(reopened.verify(SANDBOX, PREVIEW, values.get(10), NOW)).isPresent();
        assertThat(Files.readString(dataDir.resolve("access/journal.log"))).doesNotContain("\"t1\"")
                .contains("\"t2\"", "\"t11\"");
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
        assertThat(store.verify(SANDBOX, PREVIEW, longLived, NOW)).isPresent();

        store.mintToken(SANDBOX, PREVIEW, TokenName.of("fresh-2"), LATER, NOW); // the short ones are live at NOW

        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).doesNotContain("long-lived").contains("short2");
        assertThat(store.verify(SANDBOX, PREVIEW, longLived, NOW)).isEmpty();
    }

    @Test
    void a_mint_whose_record_cannot_be_written_evicts_nothing() throws IOException {
        List<String> values = mintLive(PreviewToken.MAX_PER_PREVIEW);
        store.breakJournalForTest(); // the disk takes no more lines

        assertThatThrownBy(() -> mint("t11", LATER)).isInstanceOf(SandgateException.Unavailable.class);

        // a store that cannot record an eviction (a revocation) accepts no token any more: it fails closed
        assertThatThrownBy(() -> store.verify(SANDBOX, PREVIEW, values.get(0), NOW))
                .isInstanceOf(SandgateException.Unavailable.class);
        assertThat(names(store.listTokens(SANDBOX, PREVIEW))).hasSize(PreviewToken.MAX_PER_PREVIEW)
                .contains("t1").doesNotContain("t11");
        assertThat(store.tokenCount()).isEqualTo(PreviewToken.MAX_PER_PREVIEW);
    }

    @Test
    void concurrent_mints_into_one_preview_never_keep_more_than_the_cap() throws Exception {
        int threads = 8;
        int perThread = 25;
        ConcurrentLinkedQueue<String> minted = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                minted.add(mint("t-" + thread + "-" + i, LATER).value().value());
            }
        });

        List<PreviewToken> listed = store.listTokens(SANDBOX, PREVIEW);
        assertThat(listed).hasSize(PreviewToken.MAX_PER_PREVIEW);
        assertThat(store.tokenCount()).isEqualTo(PreviewToken.MAX_PER_PREVIEW);
        List<String> kept = listed.stream().map(t -> t.value().value()).toList();
        assertThat(minted).hasSize(threads * perThread).doesNotHaveDuplicates()
                .allSatisfy(v -> assertThat(store.verify(SANDBOX, PREVIEW, v, NOW).isPresent())
                        .isEqualTo(kept.contains(v)));
        assertThat(open(dataDir).listTokens(SANDBOX, PREVIEW)).containsExactlyElementsOf(listed);
    }

    private interface Work {
        void run(int thread) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads released together, and fails with the first failure. */
    private static void runConcurrently(int threads, Work work) throws Exception {
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
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static String allBytes(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return all.toString();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    // ------------------------------------------------------------------ compaction while the store is open

    /**
     * A compaction of a journal of thousands of previews is held after writing its snapshot: meanwhile a session is
     * deleted (its token must stop working at once) and a token minted, neither waiting for it; once it ends, the
     * compacted journal holds both changes (the lines appended while it ran), and a reopened store agrees.
     */
    @Test
    void a_deletion_and_a_mint_do_not_wait_for_a_compaction_under_way_and_the_compacted_journal_keeps_them()
            throws Exception {
        CountDownLatch compacting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.whileCompactingForTest(() -> {
            compacting.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String victim = mint("victim", LATER).value().value();
        int previews = 0;
        while (compacting.getCount() > 0) { // until the journal has grown enough for a compaction (4 MB)
            assertThat(previews).as("previews inserted before a compaction started").isLessThan(100_000);
            store.insertPreview(preview(SANDBOX, PreviewName.of("session-" + previews++), false));
        }
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                assertThat(store.removePreview(SANDBOX, PREVIEW)).isPresent();
                store.insertPreview(preview(SANDBOX, PreviewName.of("late"), false));
                mint(PreviewName.of("late"), "t1", LATER);
            });
            assertThat(store.verify(SANDBOX, PREVIEW, victim, NOW)).isEmpty();
        } finally {
            release.countDown();
        }
        Eventually.await("the compaction ends", Duration.ofSeconds(30), () -> !store.compactingForTest());

        FileAccessStore reopened = open(dataDir);
        assertThat(reopened.findPreview(SANDBOX, PREVIEW)).isEmpty();
        assertThat(reopened.verify(SANDBOX, PREVIEW, victim, NOW)).isEmpty();
        assertThat(names(reopened.listTokens(SANDBOX, PreviewName.of("late")))).containsExactly("t1");
        assertThat(reopened.listPreviews(SANDBOX)).hasSize(previews + 1);
    }
}
