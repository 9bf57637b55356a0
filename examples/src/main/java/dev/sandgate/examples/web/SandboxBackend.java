package dev.sandgate.examples.web;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code GET /api/sandbox} does, with the API key only this backend holds: the seed's hand-off. The sandbox is
 * created from {@link DevServerImage#IMAGE} when missing (and again when an earlier run left it from another image),
 * its old sessions and previews are deleted, and a fresh session (24 h) and a public preview of
 * the dev server's port are created, both answering the page's origin with CORS headers. Calls block; run them off
 * an event loop. One hand-off at a time, so two page loads cannot delete each other's fresh session halfway.
 */
public final class SandboxBackend {
    /** The name of the dev server's preview. */
    public static final PreviewName PREVIEW = PreviewName.of("dev-server");
    static final Duration SESSION_LIFETIME = Duration.ofHours(24);

    /** What the page receives: the session, the dev server's preview URL and its port. */
    public record Handoff(Session session, String previewUrl, int appPort) {
        public Handoff {
            Objects.requireNonNull(session, "session must not be null");
            Objects.requireNonNull(previewUrl, "previewUrl must not be null");
        }
    }

    private final Sandgate sandgate;
    private final SandboxName sandbox;
    private final int appPort;
    private final Clock clock;

    public SandboxBackend(SandboxGateway gateway, String sandbox, int appPort, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.sandgate = Sandgate.create(Objects.requireNonNull(gateway, "gateway must not be null"), clock);
        this.sandbox = SandboxName.of(sandbox);
        this.appPort = appPort;
    }

    /** The CORS headers a page served from {@code origin} needs to call the session URL and read the preview. */
    public static HttpHeaders corsFor(URI origin) {
        Objects.requireNonNull(origin, "origin must not be null");
        return HttpHeaders.of(Map.of(
                "Access-Control-Allow-Origin", origin.toString(),
                "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS, PATCH",
                "Access-Control-Allow-Headers", "Content-Type, X-Blaxel-Preview-Token",
                "Access-Control-Max-Age", "600",
                "Vary", "Origin"));
    }

    /** Creates what the page needs, for a page served from {@code pageOrigin}. */
    public synchronized Handoff handOff(URI pageOrigin) {
        HttpHeaders cors = corsFor(pageOrigin);
        SandboxSpec spec = SandboxSpec.of(sandbox).withImage(DevServerImage.IMAGE)
                .withPorts(List.of(PortSpec.http("app", appPort)));
        SandboxInstance instance = createFromTheDevServerImage(spec);

        for (Session old : instance.sessions().list()) {
            deleteIfPresent(() -> instance.sessions().delete(old.name()));
        }
        for (Preview old : instance.previews().list()) {
            deleteIfPresent(() -> instance.previews().delete(old.name()));
        }

        Instant expiresAt = clock.instant().plus(SESSION_LIFETIME);
        Session session = instance.sessions().create(
                SessionOptions.builder().expiresAt(expiresAt).responseHeaders(cors).build());
        Preview preview = instance.previews().create(
                PreviewSpec.publicPort(PREVIEW, Port.of(appPort)).withResponseHeaders(cors));
        return new Handoff(session, preview.url(), appPort);
    }

    private SandboxInstance createFromTheDevServerImage(SandboxSpec spec) {
        SandboxInstance instance = sandgate.sandboxes().createIfNotExists(spec);
        if (instance.sandbox().spec().image().equals(spec.image())) {
            return instance;
        }
        // left by an earlier example from another image, without the dev app: start it afresh from this one
        sandgate.sandboxes().delete(spec.name());
        return sandgate.sandboxes().createIfNotExists(spec);
    }

    private static void deleteIfPresent(Runnable delete) {
        try {
            delete.run();
        } catch (SandgateException.NotFound alreadyGone) {
            // deleted meanwhile (a session's preview is also in the preview list): nothing left to do
        }
    }
}
