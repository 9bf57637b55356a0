package dev.sandgate.adapter.retrofit;

import static dev.sandgate.adapter.retrofit.SandgateCallAdapterFactory.execute;

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
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import retrofit2.Call;

/**
 * {@link SandboxGateway} over the Blaxel wire protocol: the control plane at the API base with the API key, each
 * sandbox's data plane at its {@code metadata.url}. Obtain one from {@link SandgateClient#gateway()}.
 */
public final class RetrofitSandboxGateway implements SandboxGateway {
    private final ControlPlaneApi control;
    private final BiFunction<SandboxName, HttpUrl, DataPlane> dataPlanes;

    RetrofitSandboxGateway(ControlPlaneApi control, BiFunction<SandboxName, HttpUrl, DataPlane> dataPlanes) {
        this.control = control;
        this.dataPlanes = dataPlanes;
    }

    // ---- sandboxes ----

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return sandbox(control.createSandbox(WireJson.toWire(spec), null));
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        return absentOn404(() -> sandbox(control.getSandbox(name.value())));
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return execute(control.listSandboxes(), list -> list.sandboxes().stream().map(WireJson::toDomain).toList());
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        return sandbox(control.updateSandbox(spec.name().value(), WireJson.toWire(spec)));
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        return sandbox(control.deleteSandbox(name.value()));
    }

    // ---- previews ----

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        return preview(control.createPreview(sandbox.value(), WireJson.toWire(spec)), sandbox);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return absentOn404(() -> preview(control.getPreview(sandbox.value(), name.value()), sandbox));
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        return execute(control.listPreviews(sandbox.value()),
                list -> list.stream().map(p -> WireJson.toDomain(p, sandbox)).toList());
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        return preview(control.updatePreview(sandbox.value(), spec.name().value(), WireJson.toWire(spec)), sandbox);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return preview(control.deletePreview(sandbox.value(), name.value()), sandbox);
    }

    /** Sandgate's own extension: a broker answers it; a provider without it answers 404 ({@code NotFound}). */
    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        Objects.requireNonNull(subject, "subject must not be null");
        return execute(control.revokeSessions(sandbox.value(),
                new Wire.RevokeSessions(subject.map(SessionSubject::value).orElse(null))), r -> {
                    if (r == null || r.revoked() == null || r.revoked() < 0) {
                        throw new SandgateException.Unavailable("the broker's answer to a revoke-all has no count");
                    }
                    return r.revoked();
                });
    }

    /** Sandgate's own extension: a broker answers it; a provider without it answers 404 ({@code NotFound}). */
    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        return preview(control.renewSession(sandbox.value(), session.value(), new Wire.RenewSession(expiresAt)),
                sandbox);
    }

    // ---- tokens ----

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return execute(control.createToken(sandbox.value(), preview.value(), WireJson.toWire(name, expiresAt)),
                t -> WireJson.toDomain(t, sandbox, preview));
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return execute(control.listTokens(sandbox.value(), preview.value()),
                list -> list.stream().map(t -> WireJson.toDomain(t, sandbox, preview)).toList());
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return execute(control.deleteToken(sandbox.value(), preview.value(), name.value()),
                t -> WireJson.toDomain(t, sandbox, preview));
    }

    // ---- data plane ----

    @Override
    public DataPlane dataPlane(SandboxName name) {
        Sandbox sandbox = findSandbox(name)
                .orElseThrow(() -> new SandgateException.NotFound("sandbox " + name + " not found"));
        HttpUrl base = HttpUrl.parse(sandbox.url());
        if (base == null) {
            throw new SandgateException.Unavailable("sandbox " + name + " has no usable data-plane url");
        }
        return dataPlanes.apply(name, base);
    }

    private static Sandbox sandbox(Call<Wire.Sandbox> call) {
        return execute(call, WireJson::toDomain);
    }

    private static Preview preview(Call<Wire.Preview> call, SandboxName sandbox) {
        return execute(call, p -> WireJson.toDomain(p, sandbox));
    }

    private static <T> Optional<T> absentOn404(Supplier<T> lookup) {
        try {
            return Optional.of(lookup.get());
        } catch (SandgateException.NotFound absent) {
            return Optional.empty();
        }
    }
}
