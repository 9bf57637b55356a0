package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The seed's layout with a <em>private</em> preview, in Debian's Chromium: a page of one site
 * ({@code http://localhost:<p>}, served here by the JDK's HTTP server) shows in an iframe the private preview of the
 * Vite app running in a sandbox, on the preview's own origin ({@code http://127.0.0.1:<q>}, the default
 * {@code --preview-ports=auto}), opened as {@code <iframe src="…/?bl_preview_token=…">}. {@code localhost} and
 * {@code 127.0.0.1} are two different sites, so every later request of the frame (the app's module, the HMR
 * WebSocket) carries only the cookie the broker set on the first answer: one that a cross-site frame may use.
 */
class PrivatePreviewCrossSiteIframeIT {
    private static final SandboxName SANDBOX = SandboxName.of("cross-site");
    private static final PreviewName PREVIEW = PreviewName.of("private-app");
    private static final String EDITED = "Edited in the sandbox, shown in the cross-site frame";

    /** From the frame: the HMR socket opened the way Vite's client opens it; answers what its first message was. */
    private static final String HMR_SOCKET_THROUGH_THE_PREVIEW = """
            const done = arguments[arguments.length - 1];
            fetch('/@vite/client').then((r) => r.text()).then((client) => {
              const token = /const wsToken = "([^"]+)"/.exec(client)[1];
              const socket = new WebSocket(`ws://${location.host}/?token=${token}`, 'vite-hmr');
              socket.onmessage = (e) => { done(`ws://${location.host}/ answered ${e.data}`); socket.close(); };
              socket.onclose = (e) => done(`closed with ${e.code} before any message`);
            }).catch((e) => done(`failed: ${e}`));
            """;

    @TempDir
    static Path dataDir;
    @TempDir
    static Path browserProfile;

    private static SandgateApp broker;
    private static HttpServer parent;
    private static ChromeDriver driver;
    private static WebDriverWait wait;
    private static SandboxInstance sandbox;
    private static Preview preview;
    private static String token;
    private static int appPort;
    private static final Path screenshots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));

    @BeforeAll
    static void startBrokerAppAndParentPage() throws IOException {
        assertThat(Chromium.BINARY.toPath()).as("Chromium (apt-get install chromium chromium-driver)").isExecutable();
        Files.createDirectories(screenshots);
        Invocation.Run run = (Invocation.Run) SettingsLoader.create(dataDir, dataDir)
                .load(List.of("--data-dir=" + dataDir, "--port=0"), Map.of());
        assertThat(run.settings().broker().previewPorts()).as("previews on origins of their own")
                .hasToString("auto");
        DevServerImage.install(run.settings().dataDir(), DevServerImage.builtApp(Map.of()));
        broker = SandgateApp.start(run.settings());

        Sandgate sandgate = Sandgate.create(SandgateClient.builder()
                .baseUrl(broker.publicUrl() + "/v0")
                .workspace(broker.settings().workspace())
                .apiKey(broker.apiKey().value()).build().gateway());
        appPort = Chromium.freePort();
        sandbox = sandgate.sandboxes().create(SandboxSpec.of(SANDBOX).withImage(DevServerImage.IMAGE)
                .withPorts(List.of(PortSpec.http("app", appPort))));
        sandbox.process().exec(ProcessSpec.of("npm run dev").withName("dev-server")
                .withWorkingDir(DevServerImage.APP_DIR)
                .withEnv(Map.of("PORT", String.valueOf(appPort)))
                .withWaitForPorts(appPort));
        preview = sandbox.previews().create(PreviewSpec.privatePort(PREVIEW, Port.of(appPort)));
        token = sandbox.previews().tokens(PREVIEW).create(Instant.now().plus(Duration.ofHours(1))).value().value();

        parent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String page = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Another site</title></head>
                <body><h1>A page of another site</h1>
                <iframe id="preview-frame" title="Private preview" src="%s" style="width:900px;height:500px"></iframe>
                </body></html>
                """.formatted(preview.url() + "/?bl_preview_token=" + token);
        parent.createContext("/", exchange -> {
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        parent.start();

        driver = Chromium.headless(browserProfile, false);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.ignoring(WebDriverException.class);
        wait.withMessage(() -> "the frame shows: " + frameTextOrError());
    }

    @AfterAll
    static void stop() throws Exception {
        if (parent != null) {
            parent.stop(0);
        }
        Chromium.quitThenClose(driver, broker);
    }

    @Test
    @DisplayName("A private preview opened with ?bl_preview_token= in an iframe of another site shows the app, "
            + "loads its module, connects its HMR WebSocket and takes a hot update")
    void private_preview_in_a_cross_site_iframe_loads_its_module_and_its_hmr_websocket() throws IOException {
        URI previewOrigin = URI.create(preview.url());
        assertThat(previewOrigin.getHost()).isEqualTo("127.0.0.1");
        assertThat(previewOrigin.getPort()).as("an origin of its own").isNotEqualTo(broker.port());

        driver.get("http://localhost:" + parent.getAddress().getPort() + "/");

        // The app's own text, written by its module /src/main.js: a subresource, sent with the cookie alone (only the
        // frame's own document carries the query token).
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.MODULE_LOADED));
        assertThat(Chromium.frameText(driver)).contains(DevServerImage.GREETING)
                .doesNotContain("a valid API key or preview token is required");
        // A message to the dev server and back over the HMR WebSocket.
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        assertThat(Chromium.inFrame(driver, "return location.origin;")).isEqualTo(preview.url());

        // A hot update over that socket: the frame shows the edit without reloading.
        Chromium.inFrame(driver, "window.sandgateMarker = 'set-before-the-edit';");
        sandbox.fs().write(DevServerImage.APP_DIR + "/" + DevServerImage.GREETING_FILE,
                "export const greeting = \"" + EDITED + "\";\n");
        wait.until(d -> Chromium.frameText(driver).contains(EDITED));
        assertThat(Chromium.inFrame(driver, "return window.sandgateMarker;")).isEqualTo("set-before-the-edit");
        Files.write(screenshots.resolve("private-preview-cross-site.png"), driver.getScreenshotAs(OutputType.BYTES));

        // Vite's client falls back to the app's own port when its socket through the preview fails, and that port is
        // reachable here (the performance log does not see a cross-site frame's sockets): so open the dev server's
        // socket through the preview from the frame, as the client does, with nothing but the frame's cookies.
        assertThat(Chromium.inFrameAsync(driver, HMR_SOCKET_THROUGH_THE_PREVIEW))
                .isEqualTo("ws://" + previewOrigin.getAuthority() + "/ answered {\"type\":\"connected\"}");
    }

    private static String frameTextOrError() {
        try {
            return Chromium.frameText(driver);
        } catch (WebDriverException e) {
            return e.getClass().getSimpleName();
        }
    }
}
