package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code service create}'s everyday flags written without data binding ({@link ServiceCreateTree}): the very bytes the
 * bound path sends ({@code Json.toBytes} of the spec) over every combination of names, modes, replica counts, env,
 * labels, ports and commands that {@code ServiceSpecs.create} accepts; any other flag, and a spec with a member the
 * tree does not write, go the bound way.
 */
class ServiceCreateTreeTest {
  private static final Function<String, String> ENVIRONMENT = name -> name.equals("HOME") ? "/root" : null;

  @Test
  void theTreeIsWhatBindingSent() {
    int compared = 0;
    int refused = 0;
    for (String name : Arrays.asList(null, "web", "wéb \"q\"\t\u0001")) {
      for (String mode : List.of("replicated", "global", "replicated-job", "global-job")) {
        for (Long replicas : Arrays.asList(null, 0L, 3L)) {
          for (List<String> env : List.of(List.<String>of(), List.of("A=B", "HOME", "UNSET", "Q=\"x\"=y"))) {
            for (List<String> labels : List.of(List.<String>of(), List.of("x=y", "a=", "com.example.k=v=w"))) {
              for (List<String> publish : List.of(List.<String>of(), List.of("8080:80"), List.of("8080-8081:80-81/udp",
                  "published=53,target=53,protocol=udp,mode=host", "target=9000"))) {
                for (List<String> args : List.of(List.<String>of(), List.of("sleep", "-x", "1d"))) {
                  ServiceCreateFlags f = new ServiceCreateFlags();
                  f.name = name;
                  f.mode = mode;
                  f.replicas = replicas;
                  f.env = new ArrayList<>(env);
                  f.labels = new ArrayList<>(labels);
                  f.publish = new ArrayList<>(publish);
                  f.image = "busybox:1.36@sha256:abc";
                  f.args = new ArrayList<>(args);
                  RolloutFlags rollout = new RolloutFlags();
                  assertTrue(ServiceCreateTree.covers(f));
                  ServiceSpec spec;
                  try {
                    spec = ServiceSpecs.create(f, ENVIRONMENT);
                    rollout.apply(spec, true);
                  } catch (UsageException e) {
                    refused++; // --replicas with a global mode: the same message on both paths (same code)
                    continue;
                  }
                  ObjectNode tree = ServiceCreateTree.tree(spec);
                  String what = name + " " + mode + " " + replicas + " " + env + " " + labels + " " + publish + " " + args;
                  assertNotNull(tree, what);
                  assertEquals(new String(Json.toBytes(spec), StandardCharsets.UTF_8),
                      new String(JsonOutput.compact(tree), StandardCharsets.UTF_8), what);
                  compared++;
                }
              }
            }
          }
        }
      }
    }
    assertEquals(3 * 4 * 3 * 2 * 2 * 3 * 2, compared + refused);
    assertEquals(3 * 2 * 2 * 2 * 3 * 2 * 2, refused); // global and global-job with 0 or 3 replicas
  }

  /**
   * The other covered flags (placement, container, restart, rollout), each alone and all together, over every mode, with
   * and without a port: the bound path's bytes; a failure ratio with a fraction is left to Jackson (the bound path).
   */
  @Test
  void theOtherCoveredFlagsToo() {
    List<Consumer<ServiceCreateFlags>> container = List.of(f -> f.constraints.addAll(List.of("node.role==manager",
        "node.labels.zone!=b")), f -> f.maxReplicasPerNode = 2L, f -> f.hostname = "h-{{.Task.Slot}}",
        f -> f.workdir = "/w", f -> f.user = "1000:100", f -> f.entrypoint = "/bin/sh -c", f -> f.stopSignal = "SIGINT",
        f -> f.stopGracePeriod = 30_000_000_000L, f -> f.restart.condition = "on-failure", f -> f.restart.delay = 1L,
        f -> f.restart.maxAttempts = 3L, f -> f.restart.window = 60_000_000_000L,
        f -> f.resources.limitCpu = 1_500_000_000L, f -> f.resources.limitMemory = 64L << 20,
        f -> f.resources.limitPids = 100L, f -> f.resources.reserveCpu = 250_000_000L,
        f -> f.resources.reserveMemory = 1L << 20, f -> f.resources.blkioWeight = 500L,
        f -> f.resources.limitBandwidth = "10mbit", f -> f.cpuset = "0-1",
        f -> f.networks.addAll(List.of("front", "name=back,alias=db,alias=sql,driver-opt=com.example.x=1")));
    List<Consumer<RolloutFlags>> rollouts = List.of(r -> r.updateParallelism = 0L, r -> r.updateDelay = 10_000_000_000L,
        r -> r.updateFailureAction = "rollback", r -> r.updateMonitor = 60_000_000_000L,
        r -> r.updateMaxFailureRatio = 1.0, r -> r.updateOrder = "start-first", r -> r.rollbackParallelism = 3L,
        r -> r.rollbackDelay = 1L, r -> r.rollbackFailureAction = "continue", r -> r.rollbackMonitor = 1L,
        r -> r.rollbackMaxFailureRatio = 0.0, r -> r.rollbackOrder = "start-first");
    List<List<Consumer<ServiceCreateFlags>>> flagSets = new ArrayList<>();
    List<List<Consumer<RolloutFlags>>> rolloutSets = new ArrayList<>();
    for (Consumer<ServiceCreateFlags> c : container) {
      flagSets.add(List.of(c));
      rolloutSets.add(List.of());
    }
    for (Consumer<RolloutFlags> r : rollouts) {
      flagSets.add(List.of());
      rolloutSets.add(List.of(r));
    }
    flagSets.add(container);
    rolloutSets.add(rollouts);
    int compared = 0;
    for (int i = 0; i < flagSets.size(); i++) {
      for (String mode : List.of("replicated", "global", "replicated-job", "global-job")) {
        for (List<String> publish : List.of(List.<String>of(), List.of("8080:80"))) {
          ServiceCreateFlags f = new ServiceCreateFlags();
          f.image = "busybox";
          f.mode = mode;
          f.publish = new ArrayList<>(publish);
          flagSets.get(i).forEach(c -> c.accept(f));
          RolloutFlags rollout = new RolloutFlags();
          rolloutSets.get(i).forEach(r -> r.accept(rollout));
          assertTrue(ServiceCreateTree.covers(f));
          ServiceSpec spec;
          try {
            spec = ServiceSpecs.create(f, ENVIRONMENT);
            rollout.apply(spec, true);
          } catch (UsageException e) {
            continue; // --replicas-max-per-node with a global mode, --update-* with a job: the same rules both ways
          }
          ObjectNode tree = ServiceCreateTree.tree(spec);
          String what = i + " " + mode + " " + publish;
          assertNotNull(tree, what);
          assertEquals(new String(Json.toBytes(spec), StandardCharsets.UTF_8),
              new String(JsonOutput.compact(tree), StandardCharsets.UTF_8), what);
          compared++;
        }
      }
    }
    assertTrue(compared >= 100, compared + " compared");
    ServiceCreateFlags f = new ServiceCreateFlags();
    f.image = "busybox";
    RolloutFlags rollout = new RolloutFlags();
    rollout.updateMaxFailureRatio = 0.25;
    ServiceSpec spec = ServiceSpecs.create(f, ENVIRONMENT);
    rollout.apply(spec, true);
    assertNull(ServiceCreateTree.tree(spec), "a ratio with a fraction is Jackson's to write");
  }

  @Test
  void otherFlagsGoTheBoundWay() {
    List<Consumer<ServiceCreateFlags>> others = List.of(f -> f.mounts.add("type=tmpfs,target=/t"),
        f -> f.secrets.add("s1"), f -> f.configs.add("c1"), f -> f.maxConcurrent = 2L, f -> f.endpointMode = "dnsrr",
        f -> f.rebalanceOnJoin = true, f -> f.placementPrefs.add("spread=node.id"), f -> f.placementStrategy = "binpack",
        f -> f.health.cmd = "true", f -> f.security.userns = "host");
    for (Consumer<ServiceCreateFlags> other : others) {
      ServiceCreateFlags f = new ServiceCreateFlags();
      f.image = "busybox";
      other.accept(f);
      assertFalse(ServiceCreateTree.covers(f), f.toString());
    }
    ServiceCreateFlags f = new ServiceCreateFlags();
    f.image = "busybox";
    ServiceSpec spec = ServiceSpecs.create(f, ENVIRONMENT);
    new RolloutFlags().apply(spec, true);
    assertNotNull(ServiceCreateTree.tree(spec));
    spec.networks = List.of(new NetworkAttachmentConfig());
    assertNull(ServiceCreateTree.tree(spec), "a member the tree does not write");
    spec.networks = null;
    spec.taskTemplate.containerSpec.readOnly = true;
    assertNull(ServiceCreateTree.tree(spec), "a container member the tree does not write");
  }
}
