package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.ResponseBody;
import retrofit2.Call;

/**
 * {@link SandboxGateway} over the Blaxel wire protocol: the control plane at the API base with the API key, each
 * sandbox's data plane at its {@code metadata.url}. Obtain one from {@link SandgateClient#gateway()}.
 */
public final class RetrofitSandboxGateway implements SandboxGateway {
    private final ControlPlaneApi control;
    private final DataPlaneApi data;
    private final DataPlaneApi streaming;
    private final Duration defaultWait;

    RetrofitSandboxGateway(ControlPlaneApi control, DataPlaneApi data, DataPlaneApi streaming, Duration defaultWait) {
        this.control = control;
        this.data = data;
        this.streaming = streaming;
        this.defaultWait = defaultWait;
    }

    // ---- sandboxes ----

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return sandbox(control.createSandbox(WireJson.body(Wire.Sandbox.class, WireJson.toWire(spec)), null));
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        return absentOn404(() -> sandbox(control.getSandbox(name.value())));
    }

    @Override
    public List<Sandbox> listSandboxes() {
        byte[] body = Calls.bytes(control.listSandboxes());
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        try {
            List<Wire.Sandbox> list;
            if (text.startsWith("{")) {
                // the paginated form {"data":[…],"meta":{…}} is accepted as well as a bare array
                Wire.SandboxPage page = WireJson.adapter(Wire.SandboxPage.class).fromJson(text);
                list = page == null || page.data == null ? List.of() : page.data;
            } else {
                list = WireJson.listAdapter(Wire.Sandbox.class).fromJson(text);
            }
            return list == null ? List.of() : list.stream().map(WireJson::toDomain).toList();
        } catch (IOException | RuntimeException e) {
            throw HttpErrors.malformed("GET sandboxes", e);
        }
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        return sandbox(control.updateSandbox(spec.name().value(), WireJson.body(Wire.Sandbox.class, WireJson.toWire(spec))));
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        return sandbox(control.deleteSandbox(name.value()));
    }

    // ---- previews ----

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        return preview(control.createPreview(sandbox.value(), WireJson.body(Wire.Preview.class, WireJson.toWire(spec))),
                sandbox);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return absentOn404(() -> preview(control.getPreview(sandbox.value(), name.value()), sandbox));
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        return Calls.json(control.listPreviews(sandbox.value()), WireJson.listAdapter(Wire.Preview.class),
                list -> list.stream().map(p -> WireJson.toDomain(p, sandbox)).toList());
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        return preview(control.updatePreview(sandbox.value(), spec.name().value(),
                WireJson.body(Wire.Preview.class, WireJson.toWire(spec))), sandbox);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return preview(control.deletePreview(sandbox.value(), name.value()), sandbox);
    }

    // ---- tokens ----

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return Calls.json(control.createToken(sandbox.value(), preview.value(),
                        WireJson.body(Wire.Token.class, WireJson.toWire(name, expiresAt))),
                WireJson.adapter(Wire.Token.class), t -> WireJson.toDomain(t, sandbox, preview));
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return Calls.json(control.listTokens(sandbox.value(), preview.value()), WireJson.listAdapter(Wire.Token.class),
                list -> list.stream().map(t -> WireJson.toDomain(t, sandbox, preview)).toList());
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return Calls.json(control.deleteToken(sandbox.value(), preview.value(), name.value()),
                WireJson.adapter(Wire.Token.class), t -> WireJson.toDomain(t, sandbox, preview));
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
        return new RetrofitDataPlane(name, base, data, streaming, defaultWait);
    }

    private static Sandbox sandbox(Call<ResponseBody> call) {
        return Calls.json(call, WireJson.adapter(Wire.Sandbox.class), WireJson::toDomain);
    }

    private static Preview preview(Call<ResponseBody> call, SandboxName sandbox) {
        return Calls.json(call, WireJson.adapter(Wire.Preview.class), p -> WireJson.toDomain(p, sandbox));
    }

    private static <T> Optional<T> absentOn404(Supplier<T> lookup) {
        try {
            return Optional.of(lookup.get());
        } catch (SandgateException.NotFound absent) {
            return Optional.empty();
        }
    }
}
