package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.access.PreviewAccess;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A gateway whose compute (sandboxes, processes, files) comes from a provider and whose access (previews, tokens,
 * and so sessions) is the broker's own, kept in an {@link AccessStore}. This is how a broker fronts another broker
 * or a hosted API: it mints and checks its own tokens, and its clients never see the provider's credentials. The
 * sandboxes' URLs are rewritten to this broker's own. Previews and tokens are {@link PreviewAccess}'s, as in the
 * local gateway.
 */
public final class BrokeredSandboxGateway implements SandboxGateway {
    private final SandboxGateway provider;
    private final PreviewAccess previews;
    private final UrlScheme urls;

    public BrokeredSandboxGateway(SandboxGateway provider, AccessStore access, UrlScheme urls, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider must not be null");
        this.urls = Objects.requireNonNull(urls, "urls must not be null");
        this.previews = new PreviewAccess(access, urls, clock, PreviewAccess.SandboxCheck.trustingTheStore());
    }

    private Sandbox ours(Sandbox upstream) {
        return new Sandbox(upstream.spec(), upstream.status(), urls.sandboxUrl(upstream.name()), upstream.createdAt(),
                upstream.updatedAt());
    }

    private void requireSandbox(SandboxName sandbox) {
        if (provider.findSandbox(sandbox).isEmpty()) {
            throw new SandgateException.NotFound("sandbox " + sandbox + " not found");
        }
    }

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        return ours(provider.createSandbox(spec));
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        return provider.findSandbox(name).map(this::ours);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return provider.listSandboxes().stream().map(this::ours).toList();
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        return ours(provider.updateSandbox(spec));
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        Sandbox deleted = provider.deleteSandbox(name);
        previews.forgetSandbox(name);
        return ours(deleted);
    }

    /** The provider is asked whether the sandbox exists; the other preview calls trust the store (no round trip). */
    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        requireSandbox(sandbox);
        return previews.createPreview(sandbox, spec);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return previews.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        requireSandbox(sandbox);
        return previews.listPreviews(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        return previews.updatePreview(sandbox, spec);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return previews.deletePreview(sandbox, name);
    }

    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        requireSandbox(sandbox);
        return previews.revokeSessions(sandbox, subject);
    }

    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        return previews.renewSession(sandbox, session, expiresAt);
    }

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return previews.createToken(sandbox, preview, name, expiresAt);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return previews.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return previews.deleteToken(sandbox, preview, name);
    }

    @Override
    public DataPlane dataPlane(SandboxName sandbox) {
        return provider.dataPlane(sandbox);
    }

    @Override
    public Optional<PortAddress> portAddress(SandboxName sandbox, Port port) {
        return provider.portAddress(sandbox, port);
    }
}
