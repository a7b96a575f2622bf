package io.jswarm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.DaemonErrorException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntPredicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench service}: against a running swarm, times service operations from the API call to
 * convergence (every task of the service RUNNING, or gone), as a user waiting on {@code service create} would
 * see it without the CLI's own start-up: create N replicas, scale to M, remove.
 */
@Command(name = "service", description = "Time service create / scale / rm to converged on a running swarm.")
public final class ServiceBench extends ClientCommand {
  @Option(names = "--image", required = true, description = "Image of the benchmark service (must be runnable here).")
  String image;

  @Option(names = "--replicas", defaultValue = "10", description = "Replicas to create (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--scale-to", defaultValue = "0", description = "Then scale to this many (0: skip).")
  int scaleTo;

  @Option(names = "--runs", defaultValue = "3", description = "Repetitions (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for each step.")
  int timeoutSeconds;

  @Option(names = "--arg", description = "Container argument, repeatable (default: a shell that exits on SIGTERM).")
  List<String> args = new ArrayList<>(List.of("sh", "-c", "trap \"exit 0\" TERM; sleep 3600 & wait"));

  @Override
  protected int run(ApiClient api) throws Exception {
    List<Double> create = new ArrayList<>();
    List<Double> scale = new ArrayList<>();
    List<Double> remove = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      String name = "bench-" + ProcessHandle.current().pid() + "-" + i;
      ObjectNode spec = Json.mapper().createObjectNode();
      spec.put("Name", name);
      ObjectNode cs = spec.putObject("TaskTemplate").putObject("ContainerSpec");
      cs.put("Image", image);
      args.forEach(cs.putArray("Args")::add);
      spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
      long t0 = System.nanoTime();
      ApiClient.Response r = api.call("POST", "/services/create", Json.mapper().writeValueAsBytes(spec));
      if (r.status() != 201) {
        throw new DaemonErrorException(r.status(), r.text());
      }
      String id = r.tree().path("ID").asText();
      awaitRunning(api, id, n -> n == replicas);
      create.add(ms(t0));
      if (scaleTo > 0) {
        JsonNode s = api.getTree("/services/" + id);
        ObjectNode sp = (ObjectNode) s.path("Spec");
        ((ObjectNode) sp.path("Mode").path("Replicated")).put("Replicas", scaleTo);
        long t1 = System.nanoTime();
        api.call("POST", "/services/" + id + "/update?version=" + s.path("Version").path("Index").asLong(),
            Json.mapper().writeValueAsBytes(sp));
        awaitRunning(api, id, n -> n == scaleTo);
        scale.add(ms(t1));
      }
      long t2 = System.nanoTime();
      api.delete("/services/" + id);
      awaitTasks(api, id, 0);
      remove.add(ms(t2));
      out.printf("run %d: create %d -> running %.0f ms%s, rm -> gone %.0f ms%n", i + 1, replicas, create.get(i),
          scaleTo > 0 ? String.format(", scale -> %d %.0f ms", scaleTo, scale.get(i)) : "", remove.get(i));
      out.flush();
    }
    out.printf("median: create %.0f ms%s, rm %.0f ms%n", median(create),
        scaleTo > 0 ? String.format(", scale %.0f ms", median(scale)) : "", median(remove));
    return 0;
  }

  private void awaitRunning(ApiClient api, String serviceId, IntPredicate done) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (true) {
      int running = 0;
      for (JsonNode t : api.getTree("/tasks")) {
        if (t.path("ServiceID").asText().equals(serviceId) && t.path("DesiredState").asText().equals("running")
            && t.path("Status").path("State").asText().equals("running")) {
          running++;
        }
      }
      if (done.test(running)) {
        return;
      }
      check(deadline, serviceId);
      Thread.sleep(20);
    }
  }

  private void awaitTasks(ApiClient api, String serviceId, int wanted) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (true) {
      int n = 0;
      for (JsonNode t : api.getTree("/tasks")) {
        if (t.path("ServiceID").asText().equals(serviceId)) {
          n++;
        }
      }
      if (n == wanted) {
        return;
      }
      check(deadline, serviceId);
      Thread.sleep(20);
    }
  }

  private void check(long deadline, String serviceId) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("service " + serviceId + " did not converge within " + timeoutSeconds + " s");
    }
  }

  private static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
