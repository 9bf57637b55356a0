package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LONG;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.app.SettingsLoader;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The complete example in Debian's Chromium, headless: the broker and the backend run in this JVM on free ports, the
 * page is the one the jar serves, and the dev server is the real Vite app of the {@code blaxel/prod-base:latest}
 * template, which the page starts by itself with {@code npm run dev}. The steps build on each other (one sandbox,
 * one browser), so they run in order. Every request the browser sends is recorded through Chromium's performance
 * log and checked at the end for the API key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplePageIT {
    private static final File CHROMIUM = Chromium.BINARY;
    private static final File CHROMEDRIVER = Chromium.DRIVER;
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String DEV_SERVER = "dev-server";
    private static final String EDITED = "Edited through the session, shown without a reload";

    @TempDir
    static Path dataDir;
    @TempDir
    static Path browserProfile;

    private static ExampleMain example;
    private static ChromeDriver driver;
    private static WebDriverWait wait;
    private static String apiKey;
    private static int appPort;
    private static Sandgate backend;
    private static final List<JsonObject> network = new ArrayList<>();
    private static final Path screenshots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));
    private static final Path pageScreenshot = Path.of(System.getProperty("page.screenshot",
            "target/example-page.png"));

    @BeforeAll
    static void startExampleAndBrowser() throws IOException {
        assertThat(CHROMIUM.toPath()).as("Chromium (apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMEDRIVER.toPath()).as("chromedriver (apt-get install chromium-driver)").isExecutable();
        Files.createDirectories(screenshots);

        appPort = Chromium.freePort();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        example = ExampleMain.start(
                // the page runs on a session: served even where this machine cannot isolate processes
                List.of("--data-dir=" + dataDir, "--port=0", "--allow-unisolated-sessions"),
                Map.of("EXAMPLE_PORT", "0", "EXAMPLE_APP_PORT", String.valueOf(appPort)),
                SettingsLoader.create(dataDir, dataDir),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("example page at " + example.server().pageUrl());
        apiKey = example.broker().apiKey().value();
        // The test's own view of the sandbox, with the API key, to change it behind the page's back.
        backend = Sandgate.create(SandgateClient.builder()
                .baseUrl(example.broker().publicUrl() + "/v0")
                .workspace(example.broker().settings().workspace())
                .apiKey(apiKey).build().gateway());

        driver = Chromium.headless(browserProfile, true);
        wait = new WebDriverWait(driver, STEP);
        wait.ignoring(WebDriverException.class);
    }

    @AfterEach
    void keepTheBrowsersTraffic() {
        if (driver != null) {
            drainNetworkLog();
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        Chromium.quitThenClose(driver, example);
    }

    @Test
    @Order(1)
    @DisplayName("On load, without a click, the page starts 'npm run dev' in /blaxel/app and the preview shows the "
            + "Vite app: its module loaded by a root-absolute path and its HMR socket connected through the proxy")
    void the_page_starts_the_dev_server_by_itself_and_the_preview_shows_the_app() {
        driver.get(example.server().pageUrl().toString());

        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        assertThat(driver.findElement(By.id("session-name")).getText()).startsWith("session-");
        String previewUrl = sandbox().previews().get(SandboxBackend.PREVIEW).url();
        assertThat(driver.findElement(By.id("preview-url")).getText()).isEqualTo(previewUrl);
        assertThat(driver.findElement(By.id("message")).getText())
                .isEqualTo("Dev server listening on port " + appPort + ".");
        WebElement row = processRow(runningDevServerPid());
        assertThat(row.findElement(By.cssSelector("td.command")).getText()).isEqualTo("npm run dev");
        assertThat(row.findElement(By.cssSelector("td.status")).getText()).isEqualTo("running");
        assertThat(row.findElement(By.cssSelector(".dot")).getDomAttribute("class")).isEqualTo("dot running");
        assertThat(row.findElement(By.cssSelector("button.stop")).isEnabled()).isTrue();
        assertThat(sandbox().process().get(DEV_SERVER).workingDir().value()).isEqualTo(DevServerImage.APP_DIR);

        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.GREETING));
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.MODULE_LOADED));
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        // The HMR socket went to the preview's origin, through the proxy, not straight to the app's port.
        drainNetworkLog();
        URI preview = URI.create(previewUrl);
        List<String> sockets = webSocketUrls();
        assertThat(sockets).isNotEmpty().allSatisfy(url -> {
            URI socket = URI.create(url);
            assertThat(socket.getHost()).as(url).isEqualTo(preview.getHost());
            assertThat(socket.getPort()).as(url).isEqualTo(preview.getPort()).isNotEqualTo(appPort);
        });
        screenshot("01-dev-server-started");
    }

    @Test
    @Order(2)
    @DisplayName("An edit of the app's file through the session's fs.write shows in the iframe without a reload")
    void an_edit_through_the_session_shows_in_the_preview_without_a_reload() throws IOException {
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        String marker = "set-before-the-edit-" + System.nanoTime();
        Chromium.inFrame(driver, "window.sandgateMarker = '" + marker + "';");

        sessionSandbox().fs().write(DevServerImage.APP_DIR + "/" + DevServerImage.GREETING_FILE,
                "export const greeting = \"" + EDITED + "\";\n");

        wait.until(d -> Chromium.frameText(driver).contains(EDITED));
        assertThat(Chromium.inFrame(driver, "return window.sandgateMarker;")).as("the page was not reloaded")
                .isEqualTo(marker);
        // One write may reach the watcher as one change or two (truncated, then written): one update or more.
        assertThat(Chromium.inFrame(driver, "return Number(document.body.dataset.hotUpdates);"))
                .asInstanceOf(LONG).isPositive();
        Files.write(pageScreenshot, driver.getScreenshotAs(OutputType.BYTES));
        screenshot("02-hot-update");
    }

    @Test
    @Order(3)
    void stop_kill_and_start_change_the_process_status() {
        String first = runningDevServerPid();
        processRow(first).findElement(By.cssSelector("button.stop")).click();
        wait.until(d -> "stopped".equals(processRow(first).getDomAttribute("data-status")));
        assertThat(processRow(first).findElement(By.cssSelector("td.status")).getText()).isEqualTo("stopped");
        assertThat(processRow(first).findElement(By.cssSelector(".dot")).getDomAttribute("class"))
                .isEqualTo("dot stopped");
        assertThat(processRow(first).findElement(By.cssSelector("button.stop")).isEnabled()).isFalse();
        screenshot("03-stopped");

        String second = startDevServer();
        assertThat(processRow(second).findElement(By.cssSelector("td.status")).getText()).isEqualTo("running");
        wait.until(d -> Chromium.frameText(driver).contains(EDITED));
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));

        processRow(second).findElement(By.cssSelector("button.kill")).click();
        wait.until(d -> "killed".equals(processRow(second).getDomAttribute("data-status")));
        assertThat(processRow(second).findElement(By.cssSelector(".dot")).getDomAttribute("class"))
                .isEqualTo("dot killed");
        assertThat(processRow(first).getDomAttribute("data-status")).isEqualTo("stopped");
        screenshot("04-killed");

        String third = startDevServer();
        assertThat(List.of(first, second)).doesNotContain(third);
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        screenshot("05-started-again");
    }

    @Test
    @Order(4)
    void refresh_reloads_the_process_list_and_reload_preview_reloads_the_page() {
        wait.until(d -> Chromium.frameText(driver).contains(EDITED));
        // Changed behind the page's back: the page shows it only when asked to.
        sandbox().process().exec(ProcessSpec.of("sleep 120").withName("started-elsewhere"));
        assertThat(driver.findElements(By.cssSelector("#process-list tr[data-name='started-elsewhere']"))).isEmpty();

        driver.findElement(By.id("refresh")).click();
        wait.until(d -> !d.findElements(By.cssSelector(
                "#process-list tr[data-name='started-elsewhere'][data-status='running']")).isEmpty());

        Chromium.inFrame(driver, "window.sandgateMarker = 'before-the-reload';");
        driver.findElement(By.id("preview-refresh")).click();
        wait.until(d -> Chromium.inFrame(driver, "return window.sandgateMarker;") == null
                && Chromium.frameText(driver).contains(EDITED));
        screenshot("06-refreshed");
    }

    @Test
    @Order(5)
    void a_page_load_that_finds_the_dev_server_running_starts_no_other() {
        String running = runningDevServerPid();

        driver.navigate().refresh();

        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        assertThat(driver.findElement(By.id("message")).getText())
                .isEqualTo("Connected with a session; the dev server is running.");
        assertThat(runningDevServerPid()).isEqualTo(running);
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        assertThat(Chromium.frameText(driver)).contains(EDITED);
    }

    @Test
    @Order(6)
    @DisplayName("The browser never holds or sends the API key, and talks to no other host")
    void the_browser_never_sees_the_api_key() throws Exception {
        drainNetworkLog();
        List<JsonObject> requests = network.stream()
                .filter(e -> e.getString("method").startsWith("Network.requestWillBeSent"))
                .toList();
        // The log really holds the SDK's calls: token-bearing requests to the session URL were recorded.
        assertThat(requests).anySatisfy(e -> assertThat(e.encode().toLowerCase(Locale.ROOT))
                .contains("x-blaxel-preview-token"));
        assertThat(requests).anySatisfy(e -> assertThat(e.encode()).contains("/process"));

        for (JsonObject event : network) {
            assertThat(event.encode()).as(event.getString("method")).doesNotContain(apiKey);
        }
        for (JsonObject request : requests) {
            assertThat(request.encode().toLowerCase(Locale.ROOT)).doesNotContain("x-blaxel-authorization");
            JsonObject req = request.getJsonObject("params").getJsonObject("request");
            if (req != null && req.getString("url").startsWith("http")) {
                assertThat(URI.create(req.getString("url")).getHost()).as(req.getString("url"))
                        .isEqualTo("127.0.0.1");
            }
        }

        Object state = driver.executeScript("""
                const globals = Object.keys(window).map(k => {
                  try { return k + '=' + JSON.stringify(window[k]); } catch (e) { return k; }
                });
                return [document.documentElement.outerHTML, document.cookie,
                        JSON.stringify(Object.entries(localStorage)), JSON.stringify(Object.entries(sessionStorage)),
                        performance.getEntries().map(e => e.name).join(' '), globals.join('\\n')].join('\\n');
                """);
        assertThat(String.valueOf(state)).contains("session-").doesNotContain(apiKey);

        // What the page was served, its hand-off included (asked last: a new hand-off replaces the page's session).
        HttpClient http = HttpClient.newHttpClient();
        for (String resource : List.of("", "app.js", "style.css", "api/sandbox")) {
            HttpResponse<String> served = http.send(
                    HttpRequest.newBuilder(example.server().pageUrl().resolve(resource)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).as(resource).isEqualTo(200);
            assertThat(served.body()).as(resource).doesNotContain(apiKey);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Clicks Start and waits for a new running dev server; returns its pid. */
    private static String startDevServer() {
        List<String> before = devServerPids();
        driver.findElement(By.id("start-dev-server")).click();
        wait.until(d -> d.findElements(By.cssSelector(
                        "#process-list tr[data-name='" + DEV_SERVER + "'][data-status='running']")).stream()
                .anyMatch(r -> !before.contains(r.getDomAttribute("data-pid"))));
        wait.until(d -> d.findElement(By.id("message")).getText().startsWith("Dev server listening"));
        return runningDevServerPid();
    }

    private static SandboxInstance sandbox() {
        return backend.sandboxes().get(SandboxName.of(ExampleSettings.DEFAULT_SANDBOX));
    }

    /** The sandbox as the page holds it: through the page's session only, no API key. */
    private static SessionSandbox sessionSandbox() {
        Session session = sandbox().sessions().list().stream().filter(s -> s.name().value().startsWith("session-"))
                .findFirst().orElseThrow();
        return Sandgate.fromSession(session, SandgateClient.builder()
                .baseUrl(example.broker().publicUrl() + "/v0").build().sessionConnector());
    }

    /** The URLs of the WebSockets the browser opened, from its performance log. */
    private static List<String> webSocketUrls() {
        return network.stream().filter(e -> e.getString("method").equals("Network.webSocketCreated"))
                .map(e -> e.getJsonObject("params").getString("url")).toList();
    }

    private static String runningDevServerPid() {
        List<WebElement> running = driver.findElements(By.cssSelector(
                "#process-list tr[data-name='" + DEV_SERVER + "'][data-status='running']"));
        assertThat(running).hasSize(1);
        return running.get(0).getDomAttribute("data-pid");
    }

    private static List<String> devServerPids() {
        return driver.findElements(By.cssSelector("#process-list tr[data-name='" + DEV_SERVER + "']")).stream()
                .map(r -> r.getDomAttribute("data-pid")).toList();
    }

    private static WebElement processRow(String pid) {
        return driver.findElement(By.cssSelector("#process-list tr[data-pid='" + pid + "']"));
    }


    private static void drainNetworkLog() {
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonObject message = new JsonObject(entry.getMessage()).getJsonObject("message");
            if (message != null && message.getString("method", "").startsWith("Network.")) {
                network.add(message);
            }
        }
    }

    private static void screenshot(String name) {
        try {
            Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new AssertionError("cannot save screenshot " + name + ": " + e.getMessage(), e);
        }
    }

}
