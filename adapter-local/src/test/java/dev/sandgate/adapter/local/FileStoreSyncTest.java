package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which changes of a durable file store wait for the disk ({@link FileAccessStore.Sync}). A flush is held in the
 * middle (before its {@code fdatasync}) to tell a change that waits for it from one that does not.
 */
class FileStoreSyncTest {
    private static final SandboxName BOX = SandboxName.of("box");
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Instant LATER = NOW.plusSeconds(3600);

    @TempDir
    Path dir;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger flushesHeld = new AtomicInteger();

    @AfterEach
    void releaseFlushes() {
        release.countDown();
    }

    private FileAccessStore open(FileAccessStore.Sync sync) {
        return FileAccessStore.open(dir.resolve("access"), dir.resolve("secret.key"), true, sync);
    }

    /** Every flush from now on waits, before its {@code fdatasync}, until {@link #release}. */
    private void holdFlushes(FileAccessStore store) {
        store.beforeFlushForTest(() -> {
            flushesHeld.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static Preview preview(String name) {
        return new Preview(BOX, PreviewSpec.privatePort(PreviewName.of(name), Port.of(3000)),
                "http://broker.example/p/box/" + name, NOW);
    }

    private static <T> CompletableFuture<T> inThread(java.util.function.Supplier<T> change,
                                                     AtomicReference<Thread> thread) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(change.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        thread.set(t);
        t.start();
        return done;
    }

    private static void awaitParked(AtomicReference<Thread> thread) {
        Eventually.await("the change waiting for the disk", Duration.ofSeconds(10), () -> {
            Thread.State state = thread.get().getState();
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        });
    }

    @Test
    void a_grant_returns_while_a_flush_is_held_and_a_revocation_waits_for_the_disk() throws Exception {
        FileAccessStore store = open(FileAccessStore.Sync.REVOCATIONS);
        store.insertPreview(preview("web"));
        store.mintToken(BOX, PreviewName.of("web"), TokenName.of("t0"), LATER, NOW);
        holdFlushes(store);

        AtomicReference<Thread> first = new AtomicReference<>();
        CompletableFuture<?> revoked = inThread(() -> store.removeToken(BOX, PreviewName.of("web"),
                TokenName.of("t0")), first);
        Eventually.await("the revocation's flush under way", Duration.ofSeconds(10), () -> flushesHeld.get() == 1);

        PreviewToken granted = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            store.insertPreview(preview("session-1"));
            return store.mintToken(BOX, PreviewName.of("session-1"), TokenName.of("t1"), LATER, NOW);
        });
        assertThat(store.verify(BOX, PreviewName.of("session-1"), granted.value().value(), NOW)).isPresent();

        AtomicReference<Thread> second = new AtomicReference<>();
        CompletableFuture<?> deleted = inThread(() -> store.removePreview(BOX, PreviewName.of("web")), second);
        awaitParked(second);
        assertThat(revoked).isNotDone();
        assertThat(deleted).as("a revocation is answered only once it is on the disk").isNotDone();

        release.countDown();
        revoked.get(10, TimeUnit.SECONDS);
        deleted.get(10, TimeUnit.SECONDS);
        Eventually.await("everything on the disk", Duration.ofSeconds(10), store::flushedForTest);

        FileAccessStore reopened = open(FileAccessStore.Sync.REVOCATIONS);
        assertThat(reopened.findPreview(BOX, PreviewName.of("web"))).isEmpty();
        assertThat(reopened.verify(BOX, PreviewName.of("session-1"), granted.value().value(), NOW)).isPresent();
    }

    @Test
    void a_grant_reaches_the_disk_within_moments_with_no_other_change_after_it() {
        FileAccessStore store = open(FileAccessStore.Sync.REVOCATIONS);
        store.insertPreview(preview("session-1"));
        store.mintToken(BOX, PreviewName.of("session-1"), TokenName.of("t1"), LATER, NOW);
        Eventually.await("the grants flushed by the journal's own thread", Duration.ofSeconds(5),
                store::flushedForTest);
    }

    @Test
    void closing_the_store_flushes_the_grants_its_thread_has_not_flushed_yet() {
        FileAccessStore store = open(FileAccessStore.Sync.REVOCATIONS);
        store.pauseBackgroundFlushForTest();
        store.insertPreview(preview("session-1"));
        assertThat(store.flushedForTest()).isFalse();
        store.close();
        assertThat(store.flushedForTest()).isTrue();
        store.close(); // idempotent
        assertThat(open(FileAccessStore.Sync.REVOCATIONS).findPreview(BOX, PreviewName.of("session-1"))).isPresent();
    }

    @Test
    void a_mint_that_evicts_a_token_waits_for_the_disk() throws Exception {
        FileAccessStore store = open(FileAccessStore.Sync.REVOCATIONS);
        store.insertPreview(preview("web"));
        for (int i = 0; i < PreviewToken.MAX_PER_PREVIEW; i++) {
            store.mintToken(BOX, PreviewName.of("web"), TokenName.of("t" + i), LATER, NOW);
        }
        Eventually.await("the grants on the disk", Duration.ofSeconds(5), store::flushedForTest);
        holdFlushes(store);

        AtomicReference<Thread> minting = new AtomicReference<>();
        CompletableFuture<?> mint = inThread(() -> store.mintToken(BOX, PreviewName.of("web"), TokenName.of("t-new"),
                LATER, NOW), minting);
        awaitParked(minting);
        assertThat(mint).as("the evicted token must never come back: the mint waits for the disk").isNotDone();
        release.countDown();
        mint.get(10, TimeUnit.SECONDS);
    }

    @Test
    void with_every_change_synced_a_grant_waits_for_the_disk() throws Exception {
        FileAccessStore store = open(FileAccessStore.Sync.EVERY_CHANGE);
        holdFlushes(store);

        AtomicReference<Thread> inserting = new AtomicReference<>();
        CompletableFuture<?> inserted = inThread(() -> store.insertPreview(preview("session-1")), inserting);
        awaitParked(inserting);
        assertThat(inserted).isNotDone();
        release.countDown();
        inserted.get(10, TimeUnit.SECONDS);
        assertThat(store.flushedForTest()).isTrue();
    }
}
