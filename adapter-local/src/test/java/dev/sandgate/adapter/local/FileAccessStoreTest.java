package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
        return store.mintToken(SANDBOX, PREVIEW, TokenName.of(name), expiresAt);
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
        assertThatThrownBy(() -> store.mintToken(SANDBOX, PreviewName.of("missing"), TokenName.of("t"), LATER))
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

    @Test
    void a_corrupt_preview_record_is_skipped_and_its_tokens_fail_closed() throws IOException {
        store.insertPreview(preview(SANDBOX, PreviewName.of("broken"), false));
        String value = store.mintToken(SANDBOX, PreviewName.of("broken"), TokenName.of("t"), LATER).value().value();
        Files.writeString(dataDir.resolve("access/box/broken.json"), "{\"version\":1,\"name\":");

        FileAccessStore reopened = open(dataDir);

        assertThat(reopened.listPreviews(SANDBOX)).extracting(p -> p.name().value()).containsExactly("web");
        assertThat(reopened.verify(SANDBOX, PreviewName.of("broken"), value, NOW)).isEmpty();
    }

    @Test
    void the_records_never_hold_a_token_value() throws IOException {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            values.add(mint("t" + i, LATER).value().value());
        }

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
        String value = outside.mintToken(SANDBOX, PREVIEW, TokenName.of("t"), LATER).value().value();

        FileAccessStore reopened = FileAccessStore.open(dataDir.resolve("elsewhere"), key, false);

        assertThat(key).exists();
        assertThat(reopened.verify(SANDBOX, PREVIEW, value, NOW)).isPresent();
    }

    @Test
    void removing_a_sandbox_drops_its_previews_tokens_and_files() {
        String value = mint("t1", LATER).value().value();

        store.removeSandbox(SANDBOX);

        assertThat(store.listPreviews(SANDBOX)).isEmpty();
        assertThat(store.verify(SANDBOX, PREVIEW, value, NOW)).isEmpty();
        assertThat(dataDir.resolve("access").resolve(SANDBOX.value())).doesNotExist();
        assertThat(open(dataDir).listPreviews(SANDBOX)).isEmpty();
    }

    @Test
    void concurrent_mints_and_verifications_agree() throws Exception {
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        PreviewToken token = mint("t-" + thread + "-" + i, LATER);
                        if (store.verify(SANDBOX, PREVIEW, token.value().value(), NOW).isEmpty()) {
                            failures.add(token.name().value());
                        }
                    }
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

        assertThat(failures).isEmpty();
        List<PreviewToken> listed = store.listTokens(SANDBOX, PREVIEW);
        assertThat(listed).hasSize(threads * perThread);
        assertThat(listed).extracting(t -> t.value().value()).doesNotHaveDuplicates();
        assertThat(open(dataDir).listTokens(SANDBOX, PREVIEW)).containsExactlyElementsOf(listed);
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
}
