package io.jswarm.cli.dockercli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.DockerCli;
import io.jswarm.cli.cluster.ProcessCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /events} through the real docker client against one jswarm daemon (simulated executor): {@code docker
 * events --filter type=service} shows a service's create, update and remove as they happen, with Docker's
 * attributes; container events of the node; {@code --since/--until} replay and end; a bad filter is a clear error.
 */
class DockerEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final OneSwarmNode node = new OneSwarmNode("ev1");
  private static DockerCli docker;

  @BeforeAll
  static void start() throws Exception {
    docker = node.docker();
  }

  @Test
  void dockerEventsShowsServiceCreateUpdateRemoveAsTheyHappen() throws Exception {
    try (DockerCli.Streaming events = docker.start("events", "--filter", "type=service")) {
      Thread.sleep(1500); // the stream is open (no --since: only what happens from now on)
      docker.run("service", "create", "-d", "--name", "evweb", "busybox:1").ok();
      String create = events.await(" service create ", WAIT);
      assertTrue(create.contains("name=evweb"), create);
      // dockerd reports 'create' alone for a service without ports or networks: nothing the system writes back
      // (before, the allocator's endpoint write showed as an 'update' with no attributes)
      for (String after : events.drain(Duration.ofSeconds(3))) {
        assertTrue(!after.contains(" service update "), "an update nobody asked for: " + after);
      }
      docker.run("service", "scale", "-d", "evweb=3").ok();
      String scaled = events.await("replicas.new=3", WAIT);
      assertTrue(scaled.contains(" service update ") && scaled.contains("replicas.old=1"), scaled);
      docker.run("service", "rm", "evweb").ok();
      String removed = events.await(" service remove ", WAIT);
      assertTrue(removed.contains("name=evweb"), removed);
      for (String other : events.drain(Duration.ofMillis(500))) {
        assertTrue(other.contains(" service "), "type=service let through: " + other);
      }
      assertTrue(events.alive(), "the event stream ended");
    }
  }

  @Test
  void sinceAndUntilReplayKeptEventsThenEnd() throws Exception {
    long from = Instant.now().getEpochSecond() - 1;
    docker.run("network", "create", "-d", "overlay", "evnet").ok();
    docker.run("service", "create", "-d", "--name", "evjob", "--restart-condition", "none",
        "-e", "JSWARM_SIMULATED_EXIT=3", "busybox:1").ok();
    ProcessCluster.await(WAIT, "the task's container died", () -> {
      try {
        return docker.run("events", "--since", Long.toString(from), "--until", Long.toString(Instant.now()
            .getEpochSecond()), "--filter", "type=container").out().contains(" container die ");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    DockerCli.Run all = docker.run(Duration.ofSeconds(20), "events", "--since", Long.toString(from),
        "--until", until, "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
    all.ok();
    List<String> lines = all.out().lines().toList();
    assertTrue(lines.contains("network create evnet"), all.out());
    assertTrue(lines.contains("service create evjob"), all.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("container start evjob.1.")), all.out());
    DockerCli.Run died = docker.run("events", "--since", Long.toString(from), "--until", until,
        "--filter", "event=die", "--filter", "service=evjob", "--format", "{{json .Actor.Attributes}}").ok();
    assertTrue(died.out().contains("\"exitCode\":\"3\"") && died.out().contains("com.docker.swarm.service.name"),
        died.out());

    ProcessCluster.CliRun js = node.jswarm("events", "--since", Long.toString(from), "--until", until, "-f",
        "type=network");
    assertEquals(0, js.rc(), js.err());
    assertTrue(js.out().contains(" network create ") && js.out().contains("(name=evnet)"), js.out());
    assertTrue(!js.out().contains(" service "), js.out());
    docker.run("service", "rm", "evjob").ok();
  }

  @Test
  void aBadFilterIsAClearError() throws Exception {
    DockerCli.Run r = docker.run("events", "--filter", "colour=red", "--since", "1", "--until", "2");
    assertTrue(r.rc() != 0 && r.err().contains("invalid filter 'colour'"), r.all());
    // a time too far out for an Instant is a 400, not a 500 (ApiFuzzTest found it)
    assertEquals(400, node.daemon().call("GET", "/events?since=5047639428640418645", null).status());
  }
}
