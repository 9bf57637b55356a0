package dev.sandgate.examples.web;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/** Debian's Chromium, headless, driven by Debian's chromedriver: the browser of the example's tests, and their helpers. */
final class Chromium {
    static final File BINARY = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** A headless browser with its own profile; with {@code networkLog}, its performance log records the traffic. */
    static ChromeDriver headless(Path profile, boolean networkLog) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER)
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile);
        if (networkLog) {
            LoggingPreferences logging = new LoggingPreferences();
            logging.enable(LogType.PERFORMANCE, Level.ALL);
            options.setCapability("goog:loggingPrefs", logging);
        }
        return new ChromeDriver(service, options);
    }

    /** The text of the page in the iframe {@code preview-frame}; the driver is back on the page afterwards. */
    static String frameText(WebDriver driver) {
        driver.switchTo().defaultContent();
        driver.switchTo().frame(driver.findElement(By.id("preview-frame")));
        try {
            return driver.findElement(By.tagName("body")).getText();
        } finally {
            driver.switchTo().defaultContent();
        }
    }

    /** Runs {@code script} in the page of the iframe {@code preview-frame}; the driver is back on the page afterwards. */
    static Object inFrame(WebDriver driver, String script) {
        driver.switchTo().defaultContent();
        driver.switchTo().frame(driver.findElement(By.id("preview-frame")));
        try {
            return ((JavascriptExecutor) driver).executeScript(script);
        } finally {
            driver.switchTo().defaultContent();
        }
    }

    /**
     * Runs {@code script} asynchronously in the page of the iframe {@code preview-frame}: it calls the last of its
     * {@code arguments} with the result. The driver is back on the page afterwards.
     */
    static Object inFrameAsync(WebDriver driver, String script) {
        driver.switchTo().defaultContent();
        driver.switchTo().frame(driver.findElement(By.id("preview-frame")));
        try {
            return ((JavascriptExecutor) driver).executeAsyncScript(script);
        } finally {
            driver.switchTo().defaultContent();
        }
    }

    /** Quits the browser, then closes the example, whichever of them started. */
    static void quitThenClose(WebDriver driver, AutoCloseable example) throws Exception {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (example != null) {
                example.close();
            }
        }
    }

    /** A loopback port free now, for the example's dev server. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
