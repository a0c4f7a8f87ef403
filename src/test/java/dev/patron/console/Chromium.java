package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (Selenium Manager never downloads
 * anything), with a fresh profile, browser-console errors recorded and screenshots written to
 * {@code target/screenshots}. One per browser test class.
 */
final class Chromium implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration WAIT = Duration.ofSeconds(20);

    private final WebDriver driver;
    private final WebDriverWait wait;
    private final Path profile;

    private Chromium(WebDriver driver, Path profile) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT);
        this.profile = profile;
    }

    static Chromium start() throws IOException {
        Path profile = Files.createTempDirectory("patron-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(System.getProperty("patron.chromium", "/usr/bin/chromium")));
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.SEVERE);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("patron.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort()
                .build();
        Files.createDirectories(SCREENSHOTS);
        return new Chromium(new ChromeDriver(service, options), profile);
    }

    WebDriver driver() {
        return driver;
    }

    WebDriverWait waiting() {
        return wait;
    }

    void screenshot(String name) throws IOException {
        Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    void assertNoBrowserErrors() {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
