package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's Tomcat example, run as a user would run it: {@code examples/tomcat/build-image.sh} builds (or takes
 * from its cache) the tomcat-demo v1/v2/v3 images from Debian's packages, then {@code examples/tomcat/run.sh}
 * runs the scenario against a 3-host swarm on the multi-host harness (a manager and two workers, real
 * containers): 3 replicas with a health check, v1 -> v2 start-first under a steady request load, then the
 * broken v3 rolled back automatically. The test asserts what the script reports — zero failed requests during
 * the update and during the rollback, UpdateStatus {@code rollback_completed}, every page from v2 — and checks
 * the service through the API itself.
 *
 * <p>The port is published through the routing mesh (requests to port 8080 of the hosts, as the issue asks) unless
 * the system property or environment variable {@code JSWARM_TOMCAT_PUBLISH} says {@code host} (host-mode ports:
 * the load client sends requests to the tasks the manager reports running and healthy).
 */
class TomcatExampleTest {
  private static final long SCRIPT_TIMEOUT_MINUTES = 15;
  private static final Pattern UPDATE = Pattern.compile(
      "RESULT update v1->v2 start-first: requests=(\\d+) failed=(\\d+) versions=(\\S+)");
  private static final Pattern ROLLBACK = Pattern.compile(
      "RESULT rollback v3->v2: state=(\\S+) image=(\\S+) requests=(\\d+) failed=(\\d+) versions=\\S* pages=(\\S+)");

  private record Run(int rc, String out, long millis) {}

  private static Run script(Path script, Map<String, String> env, Path log, String... args) throws Exception {
    long start = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(script.toString());
    pb.command().addAll(List.of(args));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(ended, script.getFileName() + " did not end within " + SCRIPT_TIMEOUT_MINUTES + " min:\n" + out);
    return new Run(p.exitValue(), out, (System.nanoTime() - start) / 1_000_000);
  }

  /** On failure, the scripts' and daemons' logs go to target/tomcat-example-logs (the harness deletes its dir). */
  private static void keepLogs(Path base) {
    try {
      Path keep = Path.of("target", "tomcat-example-logs");
      Files.createDirectories(keep);
      try (var logs = Files.newDirectoryStream(base, "*.log")) {
        for (Path l : logs) {
          Files.copy(l, keep.resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      System.out.println("TomcatExampleTest: logs kept in " + keep.toAbsolutePath());
    } catch (IOException e) {
      System.out.println("TomcatExampleTest: could not keep the logs: " + e);
    }
  }

  private static String publishMode() {
    String v = System.getProperty("JSWARM_TOMCAT_PUBLISH", System.getenv("JSWARM_TOMCAT_PUBLISH"));
    return v == null || v.isBlank() ? "ingress" : v;
  }

  @Test
  void tomcatRollsToV2WithZeroFailedRequestsAndABrokenV3RollsBackByItself() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path example = repo.resolve("examples/tomcat");
    assertTrue(Files.isExecutable(example.resolve("run.sh")), "examples/tomcat/run.sh not found under " + repo);

    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    Path base = cluster.baseDir();
    List<Host> hosts;
    try {
      Run build = script(example.resolve("build-image.sh"), Map.of(), base.resolve("build-image.log"));
      assertEquals(0, build.rc(), build.out());
      String[] lines = build.out().strip().split("\n");
      Path archive = Path.of(lines[lines.length - 1]);
      assertTrue(Files.isRegularFile(archive), build.out());
      System.out.printf("TomcatExampleTest: build-image.sh %.1f s (%s)%n", build.millis() / 1000.0,
          build.out().contains("up to date (cached)") ? "cached" : "built");

      Host m1 = cluster.init("m1");
      cluster.join("w1", m1, "worker");
      cluster.join("w2", m1, "worker");
      hosts = cluster.hosts();

      String jswarm = Path.of(System.getProperty("java.home"), "bin", "java")
          + " -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + ProcessCluster.classPath()
          + " io.jswarm.cli.Main";
      Map<String, String> env = Map.of(
          "JSWARM", jswarm,
          "JSWARM_HOST", m1.apiHost(),
          "PUBLISH", publishMode(),
          "TARGETS", hosts.stream().map(h -> h.address).collect(Collectors.joining(" ")),
          "ARCHIVE", archive.toString(),
          "KEEP", "1",
          "TMPDIR", base.toString());
      Run run = script(example.resolve("run.sh"), env, base.resolve("run.log"));
      System.out.printf("TomcatExampleTest: run.sh (PUBLISH=%s) %.1f s%n", publishMode(), run.millis() / 1000.0);
      run.out().lines().filter(l -> l.startsWith("RESULT") || l.startsWith("===") || l.startsWith("latency:"))
          .forEach(System.out::println);
      assertEquals(0, run.rc(), run.out());

      Matcher u = UPDATE.matcher(run.out());
      assertTrue(u.find(), run.out());
      assertEquals("0", u.group(2), "failed requests during the update v1 -> v2:\n" + run.out());
      assertTrue(Long.parseLong(u.group(1)) >= 100, "a steady load is at least 100 requests: " + u.group());
      assertTrue(u.group(3).contains("v1:") && u.group(3).contains("v2:"), "both versions answered: " + u.group());
      Matcher r = ROLLBACK.matcher(run.out());
      assertTrue(r.find(), run.out());
      assertEquals("rollback_completed", r.group(1), r.group());
      assertEquals("tomcat-demo:v2", r.group(2), r.group());
      assertEquals("0", r.group(4), "failed requests during the v3 attempt and its rollback:\n" + run.out());
      assertEquals("v2:30", r.group(5), r.group());

      // The same, seen through the API: the service is back on v2 and rolled back by itself.
      JsonNode service = m1.daemon().get("/services/tomcat-demo");
      assertEquals("rollback_completed", service.at("/UpdateStatus/State").asText(), service.toString());
      assertTrue(service.at("/UpdateStatus/Message").asText().contains("update rolled back due to failure"),
          service.toString());
      assertEquals("tomcat-demo:v2", service.at("/Spec/TaskTemplate/ContainerSpec/Image").asText());
      Set<String> nodes = new HashSet<>();
      boolean v3Failed = false;
      int runningV2 = 0;
      for (JsonNode t : m1.daemon().get("/tasks")) {
        String image = t.at("/Spec/ContainerSpec/Image").asText();
        String state = t.at("/Status/State").asText();
        if (image.equals("tomcat-demo:v2") && state.equals("running") && t.path("DesiredState").asText().equals("running")) {
          runningV2++;
          nodes.add(t.path("NodeID").asText());
        }
        v3Failed |= image.equals("tomcat-demo:v3") && state.equals("failed");
      }
      assertEquals(3, runningV2, "3 running v2 tasks");
      assertTrue(nodes.size() >= 2, "the replicas are spread over the hosts: " + nodes);
      assertTrue(v3Failed, "a v3 task failed its health check");
      m1.daemon().call("DELETE", "/services/tomcat-demo", null).expect(200);
      ProcessCluster.await(java.time.Duration.ofSeconds(60), "the containers gone",
          () -> hosts.stream().allMatch(h -> h.containerProcesses().isEmpty()));
    } catch (Throwable t) {
      keepLogs(base);
      throw t;
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
  }
}
