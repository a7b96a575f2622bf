package io.jswarm.cli.dockercli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.cluster.DockerCli;
import io.jswarm.cli.cluster.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs end to end on one daemon (simulated executor, each task runs 1.5 s and exits 0): {@code docker service
 * create --mode replicated-job --replicas 6 --max-concurrent 2} waits for the job and returns; 6 tasks complete, never
 * more than 2 at once (measured from the node's container start/die events); nothing is restarted; {@code jswarm
 * service create --mode replicated-job|global-job} too.
 */
class DockerJobsTest {
  @RegisterExtension
  static final OneSwarmNode node = new OneSwarmNode("job1");
  private static DockerCli docker;

  @BeforeAll
  static void start() throws Exception {
    docker = node.docker();
  }

  @Test
  void aReplicatedJobRunsSixCompletionsTwoAtATime() throws Exception {
    long from = Instant.now().getEpochSecond() - 1;
    DockerCli.Run create = docker.run(Duration.ofSeconds(90), "service", "create", "--mode", "replicated-job",
        "--replicas", "6", "--max-concurrent", "2", "--name", "six", "-e", "JSWARM_SIMULATED_EXIT=0",
        "-e", "JSWARM_SIMULATED_RUN_MS=1500", "busybox:1").ok();
    assertTrue(create.all().contains("job complete"), create.all());
    assertTrue(docker.run("service", "ls").ok().out().contains("(6/6 completed)"));
    String ps = docker.run("service", "ps", "six", "--format", "{{.DesiredState}} {{.CurrentState}}").ok().out();
    assertEquals(6, ps.lines().filter(l -> l.startsWith("Complete Complete")).count(), ps);
    JsonNode service = Json.fromBytes(docker.run("service", "inspect", "six").ok().out()
        .getBytes(StandardCharsets.UTF_8), JsonNode.class).get(0);
    assertEquals(2, service.at("/Spec/Mode/ReplicatedJob/MaxConcurrent").asLong());
    assertEquals(6, service.at("/Spec/Mode/ReplicatedJob/TotalCompletions").asLong());
    assertTrue(service.at("/JobStatus/LastExecution").asText().startsWith("20"), service.toString());

    // at most 2 at once, and 2 at some point: replay the node's container events of the job
    String events = docker.run("events", "--since", Long.toString(from), "--until",
        Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "service=six", "--filter", "event=start",
        "--filter", "event=die", "--format", "{{.Action}} {{.TimeNano}}").ok().out();
    List<long[]> changes = new ArrayList<>();
    events.lines().forEach(l -> {
      String[] p = l.split(" ");
      changes.add(new long[] {Long.parseLong(p[1]), p[0].equals("start") ? 1 : -1});
    });
    changes.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long running = 0;
    long most = 0;
    for (long[] c : changes) {
      running += c[1];
      most = Math.max(most, running);
    }
    assertEquals(12, changes.size(), events);
    assertEquals(2, most, "tasks running at once: " + events);
    Thread.sleep(1000);
    assertEquals(6, docker.run("service", "ps", "six", "-q").ok().out().lines().count(), "a complete task ran again");
  }

  @Test
  void jswarmCreatesAndWaitsForJobs() throws Exception {
    ProcessCluster.CliRun r = node.jswarm("service", "create", "--detach=false", "--mode", "replicated-job",
        "--replicas", "3", "--name", "three", "-e", "JSWARM_SIMULATED_EXIT=0", "-e", "JSWARM_SIMULATED_RUN_MS=300",
        "busybox:1");
    assertEquals(0, r.rc(), r.err() + r.out());
    assertTrue(r.out().contains("3 out of 3"), r.out());
    r = node.jswarm("service", "create", "--detach=false", "--mode", "global-job", "--name", "everywhere",
        "-e", "JSWARM_SIMULATED_EXIT=0", "busybox:1");
    assertEquals(0, r.rc(), r.err() + r.out());
    String ps = docker.run("service", "ps", "everywhere", "--format", "{{.DesiredState}} {{.CurrentState}}").ok()
        .out();
    assertTrue(ps.startsWith("Complete Complete"), ps);
    r = node.jswarm("service", "create", "--mode", "global-job", "--replicas", "2", "busybox:1");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("--replicas can only be used with replicated or replicated-job mode"), r.err());
  }

  @Test
  void templatesAreExpandedOnTheNodeAndAnUnknownFieldRejectsTheTask() throws Exception {
    docker.run("service", "create", "-d", "--name", "tmpl", "--restart-condition", "none", "--hostname",
        "{{.Node.Hostname}}-{{.Node.Colour}}", "busybox:1").ok();
    ProcessCluster.await(Duration.ofSeconds(30), "the task rejected for its template", () -> {
      try {
        return docker.run("service", "ps", "tmpl", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}").out()
            .contains("unknown field .Node.Colour");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    docker.run("service", "rm", "tmpl").ok();
  }

  @Test
  void systemDfListsTheNodesVolumesImagesAndContainers() throws Exception {
    docker.run("volume", "create", "dfvol").ok();
    String df = docker.run("system", "df").ok().out();
    assertTrue(df.contains("Local Volumes") && df.contains("Build Cache"), df);
    String verbose = docker.run("system", "df", "-v").ok().out();
    assertTrue(verbose.contains("dfvol"), verbose);
  }
}
