package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.worker.agent.SimulatedExecutor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Rolling updates end to end on one daemon process with the simulated executor, through {@code jswarm} and the
 * docker CLI: a start-first update converges, a failing update rolls itself back and the CLI says so, a canary
 * pauses and is promoted, and {@code docker service rollback} works against jswarm.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingUpdateCommandsTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static ProcessCluster cluster;
  private static Daemon d;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ProcessCluster();
    d = cluster.init("upd1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private record Run(int rc, String out, String err) {}

  private static Run jswarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("-H", d.host()));
    all.addAll(List.of(args));
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Run(rc, out.toString(), err.toString());
  }

  private static JsonNode service() {
    try {
      return d.call("GET", "/services/web", null).expect(200).json();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String image() {
    return service().at("/Spec/TaskTemplate/ContainerSpec/Image").asText();
  }

  private static String state() {
    return service().at("/UpdateStatus/State").asText();
  }

  private static long runningWith(String image) {
    try {
      long n = 0;
      for (JsonNode t : d.call("GET", "/tasks", null).expect(200).json()) {
        if (t.path("DesiredState").asText().equals("running") && t.at("/Status/State").asText().equals("running")
            && t.at("/Spec/ContainerSpec/Image").asText().equals(image)) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @Order(1)
  void aStartFirstUpdateConvergesAndCompletes() {
    Run c = jswarm("service", "create", "--detach=false", "--name", "web", "--replicas", "3",
        "--update-order", "start-first", "--update-monitor", "300ms", "--rollback-monitor", "300ms", "busybox:1");
    assertEquals(0, c.rc(), c.err());
    assertTrue(c.out().endsWith("verify: Service converged\n"), c.out());
    Run u = jswarm("service", "update", "--detach=false", "--image", "busybox:2", "web");
    assertEquals(0, u.rc(), u.err());
    assertTrue(u.out().contains("3/3: running   [==================================================>]"), u.out());
    assertTrue(u.out().endsWith("verify: Service converged\n"), u.out());
    assertEquals("completed", state());
    assertEquals(3, runningWith("busybox:2"));
  }

  @Test
  @Order(2)
  void aFailingUpdateRollsItselfBackAndTheCliExitsNonZero() {
    Run u = jswarm("service", "update", "--detach=false", "--update-failure-action", "rollback",
        "--env-add", SimulatedExecutor.EXIT_ENV + "=1", "--env-add", SimulatedExecutor.RUN_MS_ENV + "=100", "web");
    assertNotEquals(0, u.rc(), u.out());
    assertTrue(u.err().contains("service rolled back: ")
        && u.err().contains("update rolled back due to failure or early termination of task"), u.err());
    assertEquals("rollback_completed", state());
    assertEquals("busybox:2", image());
    assertTrue(service().at("/Spec/TaskTemplate/ContainerSpec/Env").isMissingNode());
    await(CONVERGE, "3 tasks of the old spec", () -> runningWith("busybox:2") == 3);
  }

  @Test
  @Order(3)
  void aCanaryPausesAndPromoteFinishesTheRollout() {
    Run u = jswarm("service", "update", "--detach=false", "--canary", "1", "--image", "busybox:3", "web");
    assertEquals(0, u.rc(), u.err());
    assertTrue(u.out().contains("canary: 1 of 3 tasks run the new spec; `jswarm service promote web`"), u.out());
    assertEquals("paused", state());
    assertEquals(1, runningWith("busybox:3"));
    assertEquals(2, runningWith("busybox:2"));
    Run p = jswarm("service", "promote", "--detach=false", "web");
    assertEquals(0, p.rc(), p.err());
    assertTrue(p.out().endsWith("verify: Service converged\n"), p.out());
    assertEquals("completed", state());
    assertEquals(3, runningWith("busybox:3"));
  }

  @Test
  @Order(4)
  void dockerServiceRollbackWorksAgainstJswarm() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("docker", "service", "rollback", "web");
    pb.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + d.apiPort);
    pb.redirectErrorStream(true);
    Process proc = pb.start();
    proc.getOutputStream().close();
    boolean ended = proc.waitFor(60, TimeUnit.SECONDS);
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!ended) {
      proc.destroyForcibly();
    }
    assertTrue(ended, "docker service rollback did not end: " + out);
    assertEquals(0, proc.exitValue(), out);
    assertEquals("busybox:2", image());
    await(CONVERGE, "rollback completed", () -> state().equals("rollback_completed") && runningWith("busybox:2") == 3);
  }
}
