package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service.ServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServiceSpecsTest {
  private static ServiceSpec create(String... args) {
    ServiceCreateFlags f = new ServiceCreateFlags();
    new CommandLine(f).setStopAtPositional(true).parseArgs(args);
    return ServiceSpecs.create(f, Map.of("FROM_HERE", "yes")::get);
  }

  private static ServiceSpec update(ServiceSpec spec, String... args) {
    ServiceUpdateFlags f = new ServiceUpdateFlags();
    new CommandLine(f).parseArgs(args);
    ServiceSpecs.update(spec, f);
    return spec;
  }

  @Test
  void createFlagsBecomeTheSpec() {
    ServiceSpec s = create("--name", "web", "--replicas", "3", "-e", "A=1", "--env", "FROM_HERE", "-e", "A=2",
        "--constraint", "node.role==worker", "--placement-pref", "spread=node.labels.zone",
        "--replicas-max-per-node", "2", "--placement-strategy", "binpack", "--reserve-cpu", "0.5", "--reserve-memory", "64M", "--limit-cpu", "1",
        "--limit-memory", "1g", "--restart-condition", "on-failure", "--restart-max-attempts", "3",
        "-p", "8080:80", "-p", "published=9090,target=90,mode=host", "--label", "team=a",
        "nginx:1.25", "sh", "-c", "echo hi");
    assertEquals("web", s.name);
    assertEquals(3L, s.mode.replicated.replicas);
    assertEquals(List.of("FROM_HERE=yes", "A=2"), s.taskTemplate.containerSpec.env);
    assertEquals("nginx:1.25", s.taskTemplate.containerSpec.image);
    assertEquals(List.of("sh", "-c", "echo hi"), s.taskTemplate.containerSpec.args);
    assertEquals(List.of("node.role==worker"), s.taskTemplate.placement.constraints);
    assertEquals("node.labels.zone", s.taskTemplate.placement.preferences.get(0).spread.spreadDescriptor);
    assertEquals(2L, s.taskTemplate.placement.maxReplicas);
    assertEquals("binpack", s.taskTemplate.placement.strategy);
    assertEquals(500_000_000L, s.taskTemplate.resources.reservations.nanoCPUs);
    assertEquals(64L << 20, s.taskTemplate.resources.reservations.memoryBytes);
    assertEquals(1_000_000_000L, s.taskTemplate.resources.limits.nanoCPUs);
    assertEquals(1L << 30, s.taskTemplate.resources.limits.memoryBytes);
    assertEquals("on-failure", s.taskTemplate.restartPolicy.condition);
    assertEquals(3L, s.taskTemplate.restartPolicy.maxAttempts);
    assertEquals(5_000_000_000L, s.taskTemplate.restartPolicy.delay, "Swarm's default delay when not given");
    assertEquals(2, s.endpointSpec.ports.size());
    assertEquals("host", s.endpointSpec.ports.get(1).publishMode);
    assertEquals(Map.of("team", "a"), s.labels);
    String json = Json.toString(s);
    assertTrue(json.contains("\"NanoCPUs\":500000000"), json);
    assertTrue(json.contains("\"Replicated\":{\"Replicas\":3}"), json);
  }

  @Test
  void onlyWhatWasGivenIsSet() {
    ServiceSpec s = create("alpine");
    assertEquals(1L, s.mode.replicated.replicas);
    assertNull(s.taskTemplate.resources);
    assertNull(s.taskTemplate.restartPolicy);
    assertNull(s.taskTemplate.placement);
    assertNull(s.taskTemplate.containerSpec.args);
    assertNull(s.endpointSpec.ports);
    assertNotNull(create("--mode", "global", "alpine").mode.global);
  }

  @Test
  void contradictionsAndBadValuesAreRefused() {
    assertTrue(assertThrows(UsageException.class, () -> create("--mode", "global", "--replicas", "2", "alpine"))
        .getMessage().contains("replicated mode"));
    assertTrue(assertThrows(UsageException.class, () -> create("--mode", "batch", "alpine")).getMessage()
        .contains("replicated, global, replicated-job or global-job"));
    ServiceSpec job = create("--mode", "replicated-job", "--replicas", "6", "--max-concurrent", "2", "alpine");
    assertEquals(2L, job.mode.replicatedJob.maxConcurrent);
    assertEquals(6L, job.mode.replicatedJob.totalCompletions);
    assertEquals("on-failure", job.taskTemplate.restartPolicy.condition);
    assertEquals(4L, create("--mode", "replicated-job", "--replicas", "4", "alpine").mode.replicatedJob.maxConcurrent);
    assertTrue(assertThrows(UsageException.class, () -> create("--max-concurrent", "2", "alpine")).getMessage()
        .contains("--max-concurrent can only be used with replicated-job mode"));
    assertTrue(assertThrows(UsageException.class, () -> create("--restart-condition", "always", "alpine"))
        .getMessage().contains("none, on-failure and any"));
    assertTrue(assertThrows(UsageException.class, () -> create("--placement-pref", "pack=node.labels.x", "alpine"))
        .getMessage().contains("only spread"));
    assertTrue(assertThrows(UsageException.class, () -> create("--placement-strategy", "pack", "alpine"))
        .getMessage().contains("spread or binpack"));
    assertTrue(assertThrows(UsageException.class, () -> create("-p", "80:http", "alpine")).getMessage()
        .contains("--publish"));
    CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
        () -> create("--restart-delay", "5", "alpine"));
    assertTrue(e.getMessage().contains("--restart-delay") && e.getMessage().contains("such as 5s"), e.getMessage());
  }

  @Test
  void updateMergesIntoTheExistingSpec() {
    ServiceSpec s = create("--replicas", "2", "-e", "A=1", "-e", "B=2", "--constraint", "node.role==worker",
        "--reserve-cpu", "1", "-p", "8080:80", "nginx:1");
    update(s, "--replicas", "5", "--image", "nginx:2", "--env-add", "A=9", "--env-add", "C=3", "--env-rm", "B",
        "--constraint-rm", "node.role==worker", "--constraint-add", "node.labels.zone==a", "--reserve-memory", "32M",
        "--restart-delay", "1m30s", "--publish-rm", "80", "--publish-add", "9090:90", "--force");
    assertEquals(5L, s.mode.replicated.replicas);
    assertEquals("nginx:2", s.taskTemplate.containerSpec.image);
    assertEquals(List.of("A=9", "C=3"), s.taskTemplate.containerSpec.env);
    assertEquals(List.of("node.labels.zone==a"), s.taskTemplate.placement.constraints);
    assertEquals(1_000_000_000L, s.taskTemplate.resources.reservations.nanoCPUs, "kept");
    assertEquals(32L << 20, s.taskTemplate.resources.reservations.memoryBytes);
    assertEquals(90_000_000_000L, s.taskTemplate.restartPolicy.delay);
    assertEquals("any", s.taskTemplate.restartPolicy.condition);
    assertEquals(1, s.endpointSpec.ports.size());
    assertEquals(90L, s.endpointSpec.ports.get(0).targetPort);
    assertEquals(1L, s.taskTemplate.forceUpdate);
    update(s, "--force");
    assertEquals(2L, s.taskTemplate.forceUpdate);
    assertEquals(null, s.taskTemplate.placement.strategy, "spread unless asked");
    update(s, "--placement-strategy", "binpack");
    assertEquals("binpack", s.taskTemplate.placement.strategy);
    assertEquals(List.of("node.labels.zone==a"), s.taskTemplate.placement.constraints, "kept");
  }

  @Test
  void replicasOnAGlobalServiceIsRefused() {
    ServiceSpec s = create("--mode", "global", "alpine");
    assertThrows(UsageException.class, () -> update(s, "--replicas", "3"));
  }
}
