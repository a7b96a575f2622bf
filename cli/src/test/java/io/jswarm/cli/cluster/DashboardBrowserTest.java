package io.jswarm.cli.cluster;

import io.jswarm.transport.net.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromedriver, driven by Selenium): a manager
 * serving {@code --metrics-addr} and a worker, a 3-replica service; the page shows both nodes as columns and the
 * 3 tasks, follows a scale to 5 without a reload, fits a phone's width, and logs no console error. Chromium's
 * profile and its temporary files (the {@code org.chromium.Chromium.*} singleton directories it makes in
 * {@code TMPDIR}) go to a directory of the test's own, removed at the end.
 */
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ProcessCluster cluster;
  private static Daemon manager;
  private static int port;
  private static ChromeDriver browser;
  private static Path browserTmp;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ProcessCluster();
    port = FreePorts.pick();
    manager = cluster.start("m1", "127.0.0.1", FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), List.of(), List.of("--metrics-addr", "127.0.0.1:" + port));
    manager.initSwarm();
    cluster.join("w1", manager, "worker");
    manager.call("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":"
        + "\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":3}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,"
        + "\"PublishedPort\":8080}]}}").expect(201);
    browserTmp = Files.createTempDirectory("jswarm-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,900", "--user-data-dir=" + browserTmp.resolve("profile"));
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort()
        .withEnvironment(Map.of("TMPDIR", browserTmp.toString())).build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      try {
        if (cluster != null) {
          cluster.close();
        }
      } finally {
        if (browserTmp != null) {
          try (Stream<Path> all = Files.walk(browserTmp)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
    }
  }

  @Test
  void showsNodesAndTasksAndFollowsAScaleWithoutReloading() {
    browser.get("http://127.0.0.1:" + port + "/");
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.until(d -> d.findElements(By.cssSelector(".node")).size() == 2 && runningTasks() == 3);
    @SuppressWarnings("unchecked")
    List<String> hosts = ((List<Object>) js().executeScript("return Array.from(document.querySelectorAll("
        + "'.node h3'), e => e.textContent.replace(' (leader)', ''));")).stream().map(String::valueOf).sorted()
        .collect(Collectors.toList());
    assertEquals(List.of("m1", "w1"), hosts);
    String row = firstServiceRow();
    assertTrue(row.contains("web") && row.contains("3/3") && row.contains("busybox") && row.contains("8080->80/tcp"),
        row);

    js().executeScript("window.__sameDocument = 42;");
    StringWriter out = new StringWriter();
    assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(out), "-H", manager.host(), "service", "scale",
        "web=5", "-d"), out.toString());
    wait.until(d -> runningTasks() == 5 && firstServiceRow().contains("5/5"));
    assertEquals(42L, js().executeScript("return window.__sameDocument;"), "the page was reloaded");

    js().executeScript("document.querySelector('#services tbody tr').click();");
    wait.until(d -> d.findElements(By.cssSelector("#detail-tasks tbody tr")).size() == 5);

    browser.manage().window().setSize(new Dimension(390, 844)); // a phone
    wait.until(d -> runningTasks() == 5);
    Object overflow = js().executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
    assertTrue(((Number) overflow).longValue() <= 0, "the page is wider than a phone by " + overflow + " px");

    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).collect(Collectors.toList());
    assertTrue(errors.isEmpty(), "console errors: " + errors);
  }

  // The page re-renders as events arrive: an element found in one WebDriver call may be replaced before the next
  // reads it (a stale element). Each read below is one script, so it sees one rendering.
  private static JavascriptExecutor js() {
    return browser;
  }

  private static int runningTasks() {
    return ((Number) js().executeScript("return Array.from(document.querySelectorAll('.node .task.running'))"
        + ".filter(e => e.textContent.includes('web.')).length;")).intValue();
  }

  private static String firstServiceRow() {
    Object text = js().executeScript("const r = document.querySelector('#services tbody tr');"
        + " return r ? r.innerText : '';");
    return String.valueOf(text);
  }
}
