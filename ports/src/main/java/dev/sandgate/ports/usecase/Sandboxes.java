package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.audit.AuditTrail;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Sandboxes, as the seed's {@code SandboxInstance} static calls offer them. */
public final class Sandboxes {
    private final SandboxGateway gateway;
    private final Clock clock;
    private final Optional<AuditTrail> audit;

    Sandboxes(SandboxGateway gateway, Clock clock, Optional<AuditTrail> audit) {
        this.gateway = gateway;
        this.clock = clock;
        this.audit = audit;
    }

    /** The sandbox with that name; {@code NotFound} otherwise. */
    public SandboxInstance get(SandboxName name) {
        Objects.requireNonNull(name, "name must not be null");
        Sandbox sandbox = gateway.findSandbox(name)
                .orElseThrow(() -> new SandgateException.NotFound("sandbox " + name + " not found"));
        return instance(sandbox);
    }

    /** {@link #get(SandboxName)} with the name as a string. */
    public SandboxInstance get(String name) {
        return get(SandboxName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    /** Creates a sandbox; {@code Conflict} when the name is taken. */
    public SandboxInstance create(SandboxSpec spec) {
        return instance(gateway.createSandbox(Objects.requireNonNull(spec, "spec must not be null")));
    }

    /**
     * The existing sandbox with the spec's name when it is reusable, else a new one in place of one that is not (the
     * SDK's own rule). Safe against a concurrent creator: a {@code Conflict} on create is answered with the sandbox
     * that won. Never a {@code Conflict} itself (newer SDKs do not retry one): {@code Unavailable} when the sandbox
     * keeps changing under it.
     */
    public SandboxInstance createIfNotExists(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        for (int attempt = 0; attempt < 3; attempt++) {
            var existing = gateway.findSandbox(spec.name());
            if (existing.isPresent() && existing.get().status().isReusable()) {
                return instance(existing.get());
            }
            if (existing.isPresent()) {
                gateway.deleteSandbox(spec.name());
            }
            try {
                return instance(gateway.createSandbox(spec));
            } catch (SandgateException.Conflict raced) {
                // another caller created it between our find and create: read it again
            }
        }
        throw new SandgateException.Unavailable("sandbox " + spec.name() + " keeps changing; try again");
    }

    /** {@link #createIfNotExists(SandboxSpec)} with the defaults of {@link SandboxSpec#of(SandboxName)}. */
    public SandboxInstance createIfNotExists(SandboxName name) {
        return createIfNotExists(SandboxSpec.of(Objects.requireNonNull(name, "name must not be null")));
    }

    /** {@link #createIfNotExists(SandboxName)} with the name as a string. */
    public SandboxInstance createIfNotExists(String name) {
        return createIfNotExists(SandboxName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    public List<SandboxInstance> list() {
        return gateway.listSandboxes().stream().map(this::instance).toList();
    }

    /**
     * Revokes every session minted for {@code subject} in every sandbox, issued up to now (each sandbox's
     * {@link Sessions#revokeAll(String)}); a sandbox deleted meanwhile is skipped. Answers how many were revoked.
     */
    public int revokeSessionsOf(SessionSubject subject) {
        Objects.requireNonNull(subject, "subject must not be null");
        int revoked = 0;
        for (Sandbox sandbox : gateway.listSandboxes()) {
            try {
                revoked += gateway.revokeSessions(sandbox.name(), Optional.of(subject));
            } catch (SandgateException.NotFound gone) {
                // deleted since it was listed: its sessions went with it
            }
        }
        return revoked;
    }

    /** {@link #revokeSessionsOf(SessionSubject)} by the subject's text. */
    public int revokeSessionsOf(String subject) {
        return revokeSessionsOf(SessionSubject.of(subject));
    }

    /** The sandbox created with this {@code externalId} (the caller's own identifier); {@code NotFound} otherwise. */
    public SandboxInstance getByExternalId(String externalId) {
        Objects.requireNonNull(externalId, "externalId must not be null");
        return gateway.listSandboxes().stream()
                .filter(s -> s.spec().externalId().filter(externalId::equals).isPresent())
                .findFirst()
                .map(this::instance)
                .orElseThrow(() -> new SandgateException.NotFound("no sandbox has external id '"
                        + (externalId.length() > 100 ? externalId.substring(0, 100) + "…" : externalId) + "'"));
    }

    /**
     * The previews (and through them the tokens) of the sandbox named {@code sandbox}, without looking it up first:
     * a missing sandbox is the {@code NotFound} of the first call.
     */
    public Previews previews(SandboxName sandbox) {
        return new Previews(Objects.requireNonNull(sandbox, "sandbox must not be null"), gateway, clock);
    }

    /** Deletes a sandbox with its processes, files, previews and sessions; {@code NotFound} when absent. */
    public Sandbox delete(SandboxName name) {
        return gateway.deleteSandbox(Objects.requireNonNull(name, "name must not be null"));
    }

    /** {@link #delete(SandboxName)} with the name as a string. */
    public Sandbox delete(String name) {
        return delete(SandboxName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    private SandboxInstance instance(Sandbox sandbox) {
        return new SandboxInstance(sandbox, gateway, clock, audit);
    }
}
