package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * An origin-bound session in Debian's Chromium: one page server on loopback is two origins to the browser
 * ({@code http://localhost:<p>} and {@code http://127.0.0.1:<p>}); the session is bound to the first. The page of the
 * listed origin writes and reads a file through the session URL with {@code fetch} and the token header; the page of
 * the other origin, holding the same token, is refused at the preflight, never sees an answer, and writes nothing.
 */
class SessionOriginsInChromiumIT {
    private static final SandboxName SANDBOX = SandboxName.of("origin-bound");

    /** From a page: PUT then GET a file through the session; answers what the page could read, or the failure. */
    private static final String WRITE_THEN_READ = """
            const [url, token, path, done] = arguments;
            const headers = {'X-Blaxel-Preview-Token': token, 'Content-Type': 'application/json'};
            const file = url + '/filesystem/' + encodeURIComponent(path);
            fetch(file, {method: 'PUT', headers, body: JSON.stringify({content: 'written by ' + location.origin})})
              .then((w) => fetch(file, {headers}).then((r) => r.text()).then((t) => done(`read ${w.status}: ${t}`)))
              .catch((e) => done(`failed: ${e}`));
            """;

    @TempDir
    static Path dataDir;
    @TempDir
    static Path browserProfile;

    private static SandgateApp broker;
    private static HttpServer pages;
    private static ChromeDriver driver;
    private static SandboxInstance sandbox;
    private static Session session;
    private static int pagePort;

    @BeforeAll
    static void startBrokerAndPages() throws IOException {
        assertThat(Chromium.BINARY.toPath()).as("Chromium (apt-get install chromium chromium-driver)").isExecutable();
        Invocation.Run run = (Invocation.Run) SettingsLoader.create(dataDir, dataDir)
                .load(List.of("--data-dir=" + dataDir, "--port=0", "--allow-unisolated-sessions"), Map.of());
        broker = SandgateApp.start(run.settings());

        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = "<!doctype html><html><head><title>A page</title></head><body>a page</body></html>"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        pages.start();
        pagePort = pages.getAddress().getPort();

        Sandgate sandgate = Sandgate.create(SandgateClient.builder()
                .baseUrl(broker.publicUrl() + "/v0")
                .workspace(broker.settings().workspace())
                .apiKey(broker.apiKey().value()).build().gateway());
        sandbox = sandgate.sandboxes().create(SandboxSpec.of(SANDBOX));
        session = sandbox.sessions().create(SessionOptions.builder()
                .expiresAt(Instant.now().plus(Duration.ofHours(1)))
                .origins("http://localhost:" + pagePort)
                .build());

        driver = Chromium.headless(browserProfile, false);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (pages != null) {
            pages.stop(0);
        }
        Chromium.quitThenClose(driver, broker);
    }

    private static Object fromPage(String origin, String path) {
        driver.get(origin + "/");
        return ((JavascriptExecutor) driver).executeAsyncScript(WRITE_THEN_READ, session.url(),
                session.token().value(), path);
    }

    @Test
    @DisplayName("A page of the session's origin writes and reads through it; a page of another origin holding the "
            + "same token is refused and reads nothing")
    void a_token_copied_into_a_page_of_another_origin_is_useless_there() {
        assertThat((String) fromPage("http://localhost:" + pagePort, "/listed.txt"))
                .startsWith("read 200: ").contains("written by http://localhost:" + pagePort);
        assertThat(sandbox.fs().read("/listed.txt")).isEqualTo("written by http://localhost:" + pagePort);

        assertThat((String) fromPage("http://127.0.0.1:" + pagePort, "/unlisted.txt"))
                .as("the browser gives the page no answer to read").startsWith("failed: TypeError");
        assertThatThrownBy(() -> sandbox.fs().read("/unlisted.txt")).as("and nothing was written")
                .isInstanceOf(SandgateException.NotFound.class);
    }
}
