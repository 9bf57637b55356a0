package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.app.SettingsLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The example with {@code --preview-domain=localhost}, in Debian's Chromium: the preview is the host name
 * {@code <preview>-<sandbox>.localhost}, which the browser resolves to loopback by itself, and the Vite app in the
 * iframe loads its module by a root-absolute path and connects its HMR socket to that host name.
 */
class PreviewHostIT {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path browserProfile;

    private static ExampleMain example;
    private static ChromeDriver driver;
    private static WebDriverWait wait;
    private static final Path screenshots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));

    @BeforeAll
    static void start() throws IOException {
        assertThat(Chromium.BINARY.toPath()).as("Chromium (apt-get install chromium chromium-driver)").isExecutable();
        Files.createDirectories(screenshots);
        example = ExampleMain.start(
                List.of("--data-dir=" + dataDir, "--port=0", "--preview-domain=localhost", "--allow-unisolated-sessions"),
                Map.of("EXAMPLE_PORT", "0", "EXAMPLE_APP_PORT", String.valueOf(Chromium.freePort())),
                SettingsLoader.create(dataDir, dataDir),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        driver = Chromium.headless(browserProfile, false);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.ignoring(WebDriverException.class);
    }

    @AfterAll
    static void stop() throws Exception {
        Chromium.quitThenClose(driver, example);
    }

    @Test
    void the_preview_is_its_own_localhost_host_name_and_the_dev_server_page_works_in_the_iframe() throws IOException {
        driver.get(example.server().pageUrl().toString());
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        URI previewUrl = URI.create(driver.findElement(By.id("preview-url")).getText());

        assertThat(previewUrl.getHost()).endsWith(".localhost").contains("-");
        assertThat(previewUrl.getPort()).isEqualTo(example.broker().port());

        // The page starts the dev server by itself; its module and its HMR socket both go to the preview's host.
        assertThat(driver.findElement(By.id("message")).getText()).startsWith("Dev server listening");
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.GREETING));
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.MODULE_LOADED));
        wait.until(d -> Chromium.frameText(driver).contains(DevServerImage.HMR_CONNECTED));
        Files.write(screenshots.resolve("preview-host.png"), driver.getScreenshotAs(OutputType.BYTES));
    }


}
