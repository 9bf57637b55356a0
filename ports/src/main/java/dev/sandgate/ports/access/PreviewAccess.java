package dev.sandgate.ports.access;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.PreviewOperations;
import dev.sandgate.ports.PreviewTokenOperations;
import dev.sandgate.ports.UrlScheme;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The previews and preview tokens of a gateway whose access is the broker's own ("access belongs to the broker"),
 * written once over an {@link AccessStore}: the local gateway and the brokered one both answer their preview and
 * token operations with it. A new preview gets its URL from the {@link UrlScheme} and keeps it when updated
 * (clients and tokens already hold it); tokens are minted at the clock's now, which decides the cap's evictions;
 * what is missing is {@code NotFound}.
 *
 * <p>The gateway says which sandboxes exist through a {@link SandboxCheck}, asked before every operation (so it must
 * be cheap); changes run inside {@link SandboxCheck#whileExists}, so that a gateway can keep a sandbox from being
 * deleted meanwhile.
 */
public final class PreviewAccess implements PreviewOperations, PreviewTokenOperations {
    /** How a gateway vouches for a sandbox before its previews and tokens are read or changed. */
    public interface SandboxCheck {
        /** Whether the sandbox exists now. */
        boolean exists(SandboxName sandbox);

        /**
         * Runs {@code change} to the sandbox's previews or tokens, {@code NotFound} when the sandbox does not exist.
         * A gateway overrides it to keep the sandbox from being deleted while the change runs.
         */
        default <T> T whileExists(SandboxName sandbox, Supplier<T> change) {
            requireExists(this, sandbox);
            return change.get();
        }

        /**
         * Vouches for every sandbox: the store's records are taken as they are. For a gateway whose sandboxes live
         * behind a remote provider, where asking costs a round trip; it checks the sandbox itself where it must.
         */
        static SandboxCheck trustingTheStore() {
            return sandbox -> true;
        }
    }

    private final AccessStore access;
    private final UrlScheme urls;
    private final Clock clock;
    private final SandboxCheck sandboxes;

    public PreviewAccess(AccessStore access, UrlScheme urls, Clock clock, SandboxCheck sandboxes) {
        this.access = Objects.requireNonNull(access, "access must not be null");
        this.urls = Objects.requireNonNull(urls, "urls must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.sandboxes = Objects.requireNonNull(sandboxes, "sandboxes must not be null");
    }

    private static void requireExists(SandboxCheck check, SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        if (!check.exists(sandbox)) {
            throw new SandgateException.NotFound("sandbox " + sandbox + " not found");
        }
    }

    // ------------------------------------------------------------------ previews

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return sandboxes.whileExists(sandbox, () -> access.insertPreview(new Preview(sandbox, spec,
                urls.previewUrl(sandbox, spec.name(), spec.port()), clock.instant())));
    }

    /** Empty when the preview, or its sandbox, does not exist. */
    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        return sandboxes.exists(sandbox) ? access.findPreview(sandbox, name) : Optional.empty();
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        requireExists(sandboxes, sandbox);
        return access.listPreviews(sandbox);
    }

    /** The URL stays what it was at creation, even when the port changes, as {@link PreviewOperations} promises. */
    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return sandboxes.whileExists(sandbox, () -> {
            Preview existing = access.findPreview(sandbox, spec.name())
                    .orElseThrow(() -> previewNotFound(sandbox, spec.name()));
            return access.replacePreview(new Preview(sandbox, spec, existing.url(), existing.createdAt()));
        });
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(name, "name must not be null");
        requireExists(sandboxes, sandbox);
        return access.removePreview(sandbox, name).orElseThrow(() -> previewNotFound(sandbox, name));
    }

    /** One change of the store, at the clock's now: see {@link AccessStore#revokeSessions}. */
    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        Objects.requireNonNull(subject, "subject must not be null");
        requireExists(sandboxes, sandbox);
        return access.revokeSessions(sandbox, subject, clock.instant());
    }

    /** The bound is the domain's ({@link Preview#renewedExpiry}), the change one step of the store. */
    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        Objects.requireNonNull(session, "session must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        requireExists(sandboxes, sandbox);
        Instant now = clock.instant();
        Preview current = access.findPreview(sandbox, session).orElseThrow(() -> new SandgateException.NotFound(
                "session " + session + " not found in sandbox " + sandbox));
        Instant renewed = current.renewedExpiry(expiresAt, now);
        return access.renewSession(sandbox, session, renewed, now).orElseThrow(() -> new SandgateException.NotFound(
                "session " + session + " of sandbox " + sandbox + " has expired or was deleted meanwhile"));
    }

    // ------------------------------------------------------------------ tokens

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        return sandboxes.whileExists(sandbox, () -> access.mintToken(sandbox, preview, name, expiresAt,
                clock.instant()));
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        requireExists(sandboxes, sandbox);
        if (access.findPreview(sandbox, preview).isEmpty()) {
            throw previewNotFound(sandbox, preview);
        }
        return access.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        requireExists(sandboxes, sandbox);
        return access.removeToken(sandbox, preview, name).orElseThrow(() ->
                new SandgateException.NotFound("token " + name + " not found in preview " + preview + " of sandbox "
                        + sandbox));
    }

    /** Removes every preview and token of a deleted sandbox (or of one about to be created afresh). */
    public void forgetSandbox(SandboxName sandbox) {
        access.removeSandbox(sandbox);
    }

    private static SandgateException.NotFound previewNotFound(SandboxName sandbox, PreviewName name) {
        return new SandgateException.NotFound("preview " + name + " not found in sandbox " + sandbox);
    }
}
