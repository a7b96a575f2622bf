package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Service.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code service update} on the daemon's tree ({@link ServiceTreeUpdate}) sends the very bytes the bound path sends
 * ({@link ServiceSpecs#update} on {@code Service}, then {@code Json}), for the flags it covers, on specs as the daemon
 * writes them; refuses bad values with the bound path's message; and leaves every other flag to the bound path.
 */
class ServiceTreeUpdateTest {
  /** Specs as the daemon writes them: made by {@code service create} and written by the api types. */
  private static List<String> services() {
    List<String> out = new ArrayList<>();
    List<List<String>> creates = List.of(List.of("busybox"),
        List.of("--name", "web", "--label", "team=a", "--label", "tier=front", "-e", "A=1", "-p", "8080:80",
            "--replicas", "3", "--constraint", "node.role==worker", "--limit-memory", "64m", "nginx:1.25", "sh", "-c",
            "echo hi"),
        List.of("--name", "g", "--mode", "global", "--update-parallelism", "2", "--rollback-order", "start-first",
            "--restart-condition", "on-failure", "--health-cmd", "true", "busybox:1.36"),
        List.of("--name", "j", "--mode", "replicated-job", "--replicas", "2", "busybox", "true"),
        // members after Env and after ForceUpdate, where a new one goes before them
        List.of("--name", "n", "-w", "/srv", "-u", "app", "--stop-signal", "SIGINT", "--network", "overlay1",
            "busybox"));
    for (List<String> args : creates) {
      ServiceCreateFlags f = new ServiceCreateFlags();
      RolloutFlags r = new RolloutFlags();
      new CommandLine(new Object() {
        @CommandLine.Mixin
        ServiceCreateFlags flags = f;

        @CommandLine.Mixin
        RolloutFlags rollout = r;
      }).setStopAtPositional(true).parseArgs(args.toArray(String[]::new));
      ServiceSpec spec = ServiceSpecs.create(f, Map.<String, String>of()::get);
      r.apply(spec, true);
      Service s = new Service();
      s.id = "s1";
      s.version = new io.jswarm.api.types.Version();
      s.version.index = 42L;
      s.createdAt = "2026-01-01T00:00:00Z";
      s.updatedAt = "2026-01-01T00:00:01Z";
      s.spec = spec;
      s.previousSpec = spec;
      out.add(Json.toString(s));
    }
    // what this daemon answered for bench footprint's service (a spec from the API, labels added by a first update)
    String fp = "{\"Version\":{\"Index\":31},\"CreatedAt\":\"2026-12-07T18:42:23.167743305Z\",\"UpdatedAt\":"
        + "\"2026-12-07T18:44:26.892699738Z\",\"Spec\":{\"Name\":\"fp\",\"Labels\":{\"bench\":\"1\"},\"TaskTemplate\":"
        + "{\"ContainerSpec\":{\"Image\":\"busybox\",\"Args\":[\"sleep\",\"1000000\"]}},\"Mode\":{\"Replicated\":"
        + "{\"Replicas\":100}},\"UpdateConfig\":{\"Parallelism\":1,\"FailureAction\":\"pause\",\"Monitor\":5000000000,"
        + "\"MaxFailureRatio\":0,\"Order\":\"stop-first\"},\"RollbackConfig\":{\"Parallelism\":1,\"FailureAction\":"
        + "\"pause\",\"Monitor\":5000000000,\"MaxFailureRatio\":0,\"Order\":\"stop-first\"},\"EndpointSpec\":{\"Mode\":"
        + "\"vip\"}},\"Endpoint\":{\"Spec\":{\"Mode\":\"vip\"}},\"ID\":\"pkbf034ixnr4s6sxgp2htpfma\"}";
    out.add(fp);
    out.add(fp.replace("\"Labels\":{\"bench\":\"1\"},", ""));
    return out;
  }

  private static final List<List<String>> COVERED = List.of(List.of("--label-add", "bench=1"),
      List.of("--label-add", "bench=2", "--label-add", "new=x"), List.of("--label-rm", "bench"),
      List.of("--label-rm", "team", "--label-rm", "tier"), List.of("--label-rm", "nothing"),
      List.of("--label-add", "team=b", "--label-rm", "team"), List.of("--label-add", "k"),
      List.of("--image", "busybox:2"), List.of("--image", "busybox:2", "--label-add", "a=b", "--label-rm", "bench"),
      List.of("--env-add", "A=2"), List.of("--env-add", "B=1", "--env-add", "C"), List.of("--env-rm", "A"),
      List.of("--env-rm", "nothing"), List.of("--env-add", "A=3", "--env-rm", "A"), List.of("--force"),
      List.of("--force", "--image", "busybox:3", "--env-add", "X=y", "--label-add", "f=1"));

  /** Flags covered on a service of one {@code Replicated} mode only (others: the bound path, which may refuse). */
  private static final List<List<String>> REPLICATED = List.of(List.of("--replicas", "5"),
      List.of("--replicas", "0", "--label-add", "a=b"), List.of("--replicas", "7", "--force", "--env-add", "Z=1"));

  private static ServiceUpdateFlags flags(List<String> args) {
    ServiceUpdateFlags f = new ServiceUpdateFlags();
    new CommandLine(f).parseArgs(args.toArray(String[]::new));
    return f;
  }

  /** What the bound path of {@code ServiceCommand.Update} sends. */
  private static byte[] bound(String service, List<String> args) throws Exception {
    Service s = Json.mapper().readValue(service, Service.class);
    ServiceUpdateFlags f = flags(args);
    ServiceSpecs.update(s.spec, f);
    new RolloutFlags().apply(s.spec, false);
    return Json.toBytes(s.spec);
  }

  /** The tree path applies {@code f} ({@code args}) to {@code tree} and gets the bound path's bytes for it. */
  private static void assertSendsWhatTheBoundPathSends(String service, List<String> args, JsonNode tree,
      ServiceUpdateFlags f) throws Exception {
    assertTrue(ServiceTreeUpdate.apply(tree.path("Spec"), f), args + " on " + service);
    byte[] expected = bound(service, args);
    assertArrayEquals(expected, JsonOutput.compact(tree.path("Spec")), () -> args + " on " + service
        + "\nbound: " + new String(expected, StandardCharsets.UTF_8) + "\ntree:  "
        + new String(JsonOutput.compact(tree.path("Spec")), StandardCharsets.UTF_8));
  }

  @Test
  void sendsWhatTheBoundPathSends() throws Exception {
    int compared = 0;
    for (String service : services()) {
      for (List<String> args : COVERED) {
        ServiceUpdateFlags f = flags(args);
        assertTrue(ServiceTreeUpdate.covers(f, new RolloutFlags()), args.toString());
        JsonNode tree = JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8));
        assertSendsWhatTheBoundPathSends(service, args, tree, f);
        compared++;
      }
    }
    assertEquals(services().size() * COVERED.size(), compared);
  }

  @Test
  void setsTheReplicasOfAReplicatedServiceAsTheBoundPathDoes() throws Exception {
    int compared = 0;
    for (String service : services()) {
      boolean replicated = JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8)).path("Spec").path("Mode")
          .has("Replicated");
      for (List<String> args : REPLICATED) {
        ServiceUpdateFlags f = flags(args);
        assertTrue(ServiceTreeUpdate.covers(f, new RolloutFlags()), args.toString());
        JsonNode tree = JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8));
        if (!replicated) {
          assertFalse(ServiceTreeUpdate.apply(tree.path("Spec"), f), args + " on " + service);
          assertEquals(JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8)), tree, "untouched: " + service);
          continue;
        }
        assertSendsWhatTheBoundPathSends(service, args, tree, f);
        compared++;
      }
    }
    assertEquals(5 * REPLICATED.size(), compared, "busybox, web, n and fp's two forms are replicated");
  }

  @Test
  void theMemberOrdersAreTheApiTypes() {
    assertEquals(ServiceTreeUpdate.AFTER_LABELS, after(ServiceSpec.class, "Labels"));
    assertEquals(ServiceTreeUpdate.AFTER_ENV, after(io.jswarm.api.types.ContainerSpec.class, "Env"));
    assertEquals(ServiceTreeUpdate.AFTER_FORCE_UPDATE, after(io.jswarm.api.types.TaskSpec.class, "ForceUpdate"));
  }

  /** The JSON members Jackson writes after {@code member} for {@code type}, in its order. */
  private static List<String> after(Class<?> type, String member) {
    var config = Json.mapper().getSerializationConfig();
    List<String> names = new ArrayList<>();
    for (var p : config.introspect(Json.mapper().constructType(type)).findProperties()) {
      names.add(p.getName());
    }
    return names.subList(names.indexOf(member) + 1, names.size());
  }

  @Test
  void refusesWhatTheBoundPathRefusesWithItsMessage() throws Exception {
    String service = services().get(1);
    for (List<String> args : List.of(List.of("--label-add", "=x"), List.of("--label-add", "a=b", "--label-add", "=y"),
        List.of("--replicas", "-1"), List.of("--replicas", "-2", "--label-add", "=z"))) {
      UsageException b = assertThrows(UsageException.class, () -> bound(service, args));
      JsonNode tree = JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8));
      UsageException t = assertThrows(UsageException.class, () -> ServiceTreeUpdate.apply(tree.path("Spec"),
          flags(args)));
      assertEquals(b.getMessage(), t.getMessage());
      assertEquals(JsonTrees.parse(service.getBytes(StandardCharsets.UTF_8)), tree, "the tree is left as it was");
    }
  }

  @Test
  void leavesEveryOtherFlagAndOddSpecsToTheBoundPath() throws Exception {
    for (List<String> args : List.of(List.of("--publish-add", "80"), List.of("--secret-add", "s"),
        List.of("--env-add", "A=1", "--network-add", "n"), List.of("--constraint-rm", "x"), List.of("--limit-memory", "1g"), List.of("--restart-condition", "none"),
        List.of("--health-cmd", "true"), List.of("--args", "x"), List.of("--label-add", "a=b", "--publish-rm", "80"),
        List.of("--userns", "host"), List.of("--rebalance-on-join"))) {
      assertFalse(ServiceTreeUpdate.covers(flags(args), new RolloutFlags()), args.toString());
    }
    RolloutFlags r = new RolloutFlags();
    new CommandLine(r).parseArgs("--update-parallelism", "2");
    assertFalse(ServiceTreeUpdate.covers(flags(List.of("--label-add", "a=b")), r));
    for (String spec : List.of("{\"Spec\":{\"Name\":\"x\"}}", "{\"Spec\":{\"Name\":\"x\",\"TaskTemplate\":{}}}",
        "{\"Spec\":{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":{}}}}", "{}")) {
      JsonNode tree = JsonTrees.parse(spec.getBytes(StandardCharsets.UTF_8));
      assertFalse(ServiceTreeUpdate.apply(tree.path("Spec"), flags(List.of("--image", "busybox"))), spec);
      assertEquals(JsonTrees.parse(spec.getBytes(StandardCharsets.UTF_8)), tree, "untouched: " + spec);
    }
    JsonNode numbers = JsonTrees.parse("{\"Spec\":{\"Name\":\"x\",\"Labels\":{\"a\":1}}}".getBytes(StandardCharsets.UTF_8));
    assertFalse(ServiceTreeUpdate.apply(numbers.path("Spec"), flags(List.of("--label-add", "b=c"))));
  }
}
