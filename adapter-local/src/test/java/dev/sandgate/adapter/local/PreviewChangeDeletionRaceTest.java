package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.contract.Eventually;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preview and token changes take no lock shared by all sandboxes; a sandbox's deletion still waits for the changes
 * to its previews running, and none starts after it, so no preview or token of a deleted sandbox is ever left in the
 * store (where its token would keep verifying, and a sandbox created again under the name would inherit it).
 */
class PreviewChangeDeletionRaceTest {
    private static final SandboxName NAME = SandboxName.of("raced");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;
    private LocalSandboxGateway gateway;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
    }

    private FileAccessStore store() {
        LocalSettings settings = TestGateways.settings(dataDir);
        return FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
    }

    private LocalSandboxGateway gateway(AccessStore access) {
        gateway = new LocalSandboxGateway(TestGateways.settings(dataDir), access, TestGateways.isolation(),
                Clock.systemUTC());
        return gateway;
    }

    @Test
    void a_preview_created_while_its_sandbox_is_deleted_is_not_left_in_the_store() throws Exception {
        FileAccessStore real = store();
        HeldInsert access = new HeldInsert(real);
        gateway(access).createSandbox(SandboxSpec.of(NAME));
        PreviewName raced = PreviewName.of("session-raced");

        // the creation has passed the sandbox check and is about to write to the store
        CompletableFuture<Optional<Preview>> creation = CompletableFuture.supplyAsync(() -> {
            try {
                return Optional.of(gateway.createPreview(NAME, PreviewSpec.privatePort(raced, Port.SANDBOX_API)));
            } catch (SandgateException.NotFound deleted) {
                return Optional.empty();
            }
        }, threads);
        assertThat(access.entered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        AtomicReference<Thread> deleter = new AtomicReference<>();
        CompletableFuture<Void> deletion = CompletableFuture.runAsync(() -> {
            deleter.set(Thread.currentThread());
            gateway.deleteSandbox(NAME);
        }, threads);
        // the deletion either finished (a gateway that does not wait for the change) or waits for the change
        Eventually.await("the deletion finished or waits", PATIENCE, () -> deletion.isDone()
                || deleter.get() != null && deleter.get().getState() == Thread.State.WAITING);
        access.release.countDown();

        creation.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        deletion.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(real.listPreviews(NAME)).isEmpty();
        assertThat(real.findPreview(NAME, raced)).isEmpty();
    }

    @Test
    void concurrent_mints_while_the_sandbox_is_deleted_never_leave_a_preview_or_token_behind() throws Exception {
        FileAccessStore access = store();
        gateway(access);
        Instant expiresAt = Instant.now().plusSeconds(3600);
        for (int round = 0; round < 10; round++) {
            gateway.createSandbox(SandboxSpec.of(NAME));
            AtomicInteger minted = new AtomicInteger();
            AtomicInteger names = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            List<Future<?>> minters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                minters.add(threads.submit(() -> {
                    try {
                        while (true) { // until the sandbox is gone
                            PreviewName name = PreviewName.of("session-" + names.incrementAndGet());
                            gateway.createPreview(NAME, PreviewSpec.privatePort(name, Port.SANDBOX_API));
                            gateway.createToken(NAME, name, TokenName.of("t1"), expiresAt);
                            minted.incrementAndGet();
                        }
                    } catch (SandgateException.NotFound deleted) {
                        // the sandbox was deleted: this minter is done
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                    }
                }));
            }
            Eventually.await("mints ran in round " + round, PATIENCE, () -> minted.get() >= 8);

            gateway.deleteSandbox(NAME);

            for (Future<?> f : minters) {
                f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(unexpected).isEmpty();
            assertThat(access.listPreviews(NAME)).as("previews of the deleted sandbox, round %d", round).isEmpty();
            for (int n = 1; n <= names.get(); n++) {
                assertThat(access.listTokens(NAME, PreviewName.of("session-" + n))).isEmpty();
            }
        }
    }

    /** The real store, whose first preview insertion says it began and then waits to be let through. */
    private static final class HeldInsert implements AccessStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AccessStore real;

        HeldInsert(AccessStore real) {
            this.real = real;
        }

        @Override
        public Preview insertPreview(Preview preview) {
            entered.countDown();
            try {
                if (!release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("the insertion was never let through");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return real.insertPreview(preview);
        }

        @Override
        public Preview replacePreview(Preview preview) {
            return real.replacePreview(preview);
        }

        @Override
        public int revokeSessions(SandboxName sandbox, Optional<dev.sandgate.domain.SessionSubject> subject,
                                  java.time.Instant issuedUpTo) {
            return real.revokeSessions(sandbox, subject, issuedUpTo);
        }

        @Override
        public Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, java.time.Instant expiresAt,
                                              java.time.Instant now) {
            return real.renewSession(sandbox, session, expiresAt, now);
        }

        @Override
        public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
            return real.findPreview(sandbox, name);
        }

        @Override
        public List<Preview> listPreviews(SandboxName sandbox) {
            return real.listPreviews(sandbox);
        }

        @Override
        public Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
            return real.removePreview(sandbox, name);
        }

        @Override
        public void removeSandbox(SandboxName sandbox) {
            real.removeSandbox(sandbox);
        }

        @Override
        public PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt,
                                      Instant now) {
            return real.mintToken(sandbox, preview, name, expiresAt, now);
        }

        @Override
        public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
            return real.listTokens(sandbox, preview);
        }

        @Override
        public Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
            return real.removeToken(sandbox, preview, name);
        }

        @Override
        public Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented,
                                             Instant now) {
            return real.verify(sandbox, preview, presented, now);
        }
    }
}
