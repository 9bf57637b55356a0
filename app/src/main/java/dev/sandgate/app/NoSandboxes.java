package dev.sandgate.app;

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
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The sandboxes of a front: none. A front forwards every request for a sandbox to its node before it reaches a
 * gateway, so what arrives here is for a sandbox the catalog places on no node: not found.
 */
final class NoSandboxes implements SandboxGateway {

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        throw new SandgateException.Unavailable("a front of the cluster runs no sandbox itself");
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        return Optional.empty();
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return List.of();
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        throw missing(spec.name());
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        throw missing(name);
    }

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        throw missing(sandbox);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return Optional.empty();
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        throw missing(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        throw missing(sandbox);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        throw missing(sandbox);
    }

    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        throw missing(sandbox);
    }

    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        throw missing(sandbox);
    }

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        throw missing(sandbox);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        throw missing(sandbox);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        throw missing(sandbox);
    }

    @Override
    public DataPlane dataPlane(SandboxName sandbox) {
        throw missing(sandbox);
    }

    private static SandgateException missing(SandboxName sandbox) {
        return new SandgateException.NotFound("sandbox " + sandbox + " not found on any node of the cluster");
    }
}
