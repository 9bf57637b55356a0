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
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A gateway whose compute (sandboxes, processes, files) comes from a provider and whose access (previews, tokens,
 * and so sessions) is the broker's own, kept in an {@link AccessStore}. This is how a broker fronts another broker
 * or a hosted API: it mints and checks its own tokens, and its clients never see the provider's credentials. The
 * sandboxes' URLs are rewritten to this broker's own.
 */
public final class BrokeredSandboxGateway implements SandboxGateway {
    private final SandboxGateway provider;
    private final AccessStore access;
    private final UrlScheme urls;
    private final Clock clock;

    public BrokeredSandboxGateway(SandboxGateway provider, AccessStore access, UrlScheme urls, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider must not be null");
        this.access = Objects.requireNonNull(access, "access must not be null");
        this.urls = Objects.requireNonNull(urls, "urls must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
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
        access.removeSandbox(name);
        return ours(deleted);
    }

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        requireSandbox(sandbox);
        return access.insertPreview(new Preview(sandbox, spec, urls.previewUrl(sandbox, spec.name(), spec.port()),
                clock.instant()));
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return access.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        requireSandbox(sandbox);
        return access.listPreviews(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        Preview existing = access.findPreview(sandbox, spec.name())
                .orElseThrow(() -> new SandgateException.NotFound("preview " + spec.name() + " not found in sandbox " + sandbox));
        // The URL stays, as PreviewOperations promises: clients and tokens already hold it.
        return access.replacePreview(new Preview(sandbox, spec, existing.url(), existing.createdAt()));
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return access.removePreview(sandbox, name)
                .orElseThrow(() -> new SandgateException.NotFound("preview " + name + " not found in sandbox " + sandbox));
    }

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return access.mintToken(sandbox, preview, name, expiresAt, clock.instant());
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        if (access.findPreview(sandbox, preview).isEmpty()) {
            throw new SandgateException.NotFound("preview " + preview + " not found in sandbox " + sandbox);
        }
        return access.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return access.removeToken(sandbox, preview, name)
                .orElseThrow(() -> new SandgateException.NotFound("token " + name + " not found in preview " + preview));
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
