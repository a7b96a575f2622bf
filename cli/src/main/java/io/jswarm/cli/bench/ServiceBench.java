package io.jswarm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.DaemonErrorException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench service}: against a running swarm, times service operations from the API call to
 * convergence, as a user waiting on {@code service create} / {@code service update} would see it without the
 * CLI's own start-up. The sequence is the one of the Docker comparison (issue 7): create N replicas (every task
 * RUNNING), a rolling update of all of them (a new env var; parallelism 2, delay 0, monitor 1 s: every task of
 * the new spec RUNNING and {@code UpdateStatus} completed), scale to M (every task RUNNING), remove (every task
 * gone). Each step is printed with the goal (half of Docker 20.10 swarm mode on the reference machine) where there
 * is one for that replica count; {@code --trace} adds when the tasks of a step reached each state.
 */
@Command(name = "service", description = "Time service create / rolling update / scale / rm to converged on a "
    + "running swarm, against the goals (half of Docker 20.10 swarm mode).")
public final class ServiceBench extends ClientCommand {
  @Option(names = "--image", required = true, description = "Image of the benchmark service (must be runnable here).")
  String image;

  @Option(names = "--replicas", defaultValue = "10", description = "Replicas to create (default: ${DEFAULT-VALUE}; "
      + "goals exist for 10 and 30).")
  int replicas;

  @Option(names = "--scale-to", defaultValue = "0", description = "Then scale to this many (0: skip).")
  int scaleTo;

  @Option(names = "--skip-update", description = "Skip the rolling update step.")
  boolean skipUpdate;

  @Option(names = "--update-parallelism", defaultValue = "2", description = "Parallelism of the rolling update "
      + "(default: ${DEFAULT-VALUE}).")
  long updateParallelism;

  @Option(names = "--update-monitor-ms", defaultValue = "1000", description = "Monitor period of the rolling update "
      + "in ms (default: ${DEFAULT-VALUE}).")
  long updateMonitorMs;

  @Option(names = "--runs", defaultValue = "3", description = "Repetitions (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", defaultValue = "1", description = "Runs before those, not counted (default: "
      + "${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for each step.")
  int timeoutSeconds;

  @Option(names = "--trace", description = "Also print when the tasks of each step reached each state.")
  boolean trace;

  @Option(names = "--arg", description = "Container argument, repeatable (default: a shell that exits on SIGTERM).")
  List<String> args = new ArrayList<>(List.of("sh", "-c", "trap \"exit 0\" TERM; sleep 3600 & wait"));

  /** Docker 20.10 swarm mode on the reference machine (issue 7), in seconds, by step and replica count. */
  private static final Map<String, Double> DOCKER = Map.of(
      "create 10", 1.7, "update 10", 9.5, "scale 10 -> 30", 6.3, "rm 30", 3.3,
      "create 30", 7.6, "update 30", 28.7);

  /** Poll period while waiting for convergence (each poll is one small API call). */
  private static final long POLL_MS = 20;

  private static final String[] STATES = {"new", "pending", "assigned", "accepted", "preparing", "ready",
      "starting", "running"};

  @Override
  protected int run(ApiClient api) throws Exception {
    Map<String, List<Double>> results = new LinkedHashMap<>();
    // The client's own first calls (connection, class loading) are not part of any step.
    api.getTree("/nodes");
    api.getTree("/tasks");
    for (int i = 0; i < warmup + runs; i++) {
      boolean counted = i >= warmup;
      String name = "bench-" + ProcessHandle.current().pid() + "-" + i;
      ObjectNode spec = Json.mapper().createObjectNode();
      spec.put("Name", name);
      ObjectNode cs = spec.putObject("TaskTemplate").putObject("ContainerSpec");
      cs.put("Image", image);
      args.forEach(cs.putArray("Args")::add);
      spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
      Map<String, Double> run = new LinkedHashMap<>();

      Trace tr = new Trace(Set.of());
      long t0 = System.nanoTime();
      ApiClient.Response r = api.call("POST", "/services/create", Json.mapper().writeValueAsBytes(spec));
      if (r.status() != 201) {
        throw new DaemonErrorException(r.status(), r.text());
      }
      String id = r.tree().path("ID").asText();
      awaitTasks(api, id, t0, tr, ts -> running(ts, null) == replicas);
      step(run, "create " + replicas, t0, tr);

      if (!skipUpdate) {
        String value = name + "-v2";
        JsonNode s = api.getTree("/services/" + id);
        ObjectNode sp = (ObjectNode) s.path("Spec");
        ObjectNode csp = (ObjectNode) sp.path("TaskTemplate").path("ContainerSpec");
        ArrayNode env = csp.has("Env") && csp.get("Env").isArray() ? (ArrayNode) csp.get("Env") : csp.putArray("Env");
        env.add("BENCH_VERSION=" + value);
        ObjectNode uc = sp.putObject("UpdateConfig");
        uc.put("Parallelism", updateParallelism);
        uc.put("Delay", 0);
        uc.put("Monitor", updateMonitorMs * 1_000_000L);
        uc.put("FailureAction", "pause");
        uc.put("Order", "stop-first");
        Trace tu = new Trace(taskIds(api, id));
        long t1 = System.nanoTime();
        update(api, id, s, sp);
        awaitTasks(api, id, t1, tu, ts -> running(ts, "BENCH_VERSION=" + value) == replicas
            && "completed".equals(updateState(api, id)));
        step(run, "update " + replicas, t1, tu);
      }

      if (scaleTo > 0) {
        JsonNode s = api.getTree("/services/" + id);
        ObjectNode sp = (ObjectNode) s.path("Spec");
        ((ObjectNode) sp.path("Mode").path("Replicated")).put("Replicas", scaleTo);
        Trace ts2 = new Trace(taskIds(api, id));
        long t2 = System.nanoTime();
        update(api, id, s, sp);
        awaitTasks(api, id, t2, ts2, ts -> running(ts, null) == scaleTo);
        step(run, "scale " + replicas + " -> " + scaleTo, t2, ts2);
      }

      long t3 = System.nanoTime();
      api.delete("/services/" + id);
      awaitTasks(api, id, t3, null, List::isEmpty);
      step(run, "rm " + (scaleTo > 0 ? scaleTo : replicas), t3, null);

      StringBuilder line = new StringBuilder(counted ? "run " + (i - warmup + 1) + ":" : "warm-up (not counted):");
      run.forEach((k, v) -> line.append(String.format(" %s %.0f ms;", k, v)));
      out.println(line);
      out.flush();
      if (counted) {
        run.forEach((k, v) -> results.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      }
    }
    out.printf("%-16s %10s %10s %12s %10s%n", "step", "median", "worst", "docker 20.10", "goal");
    boolean allMet = true;
    for (Map.Entry<String, List<Double>> e : results.entrySet()) {
      double med = median(e.getValue());
      double worst = Collections.max(e.getValue());
      // Docker's rm was timed at the end of its 10 -> 30 sequence.
      Double docker = e.getKey().startsWith("rm") && replicas != 10 ? null : DOCKER.get(e.getKey());
      String goal = "-";
      if (docker != null) {
        boolean met = med <= docker * 500;
        allMet &= met;
        goal = String.format("%.2f s %s", docker / 2, met ? "met" : "NOT met");
      }
      out.printf("%-16s %8.0f ms %7.0f ms %12s %10s%n", e.getKey(), med, worst,
          docker == null ? "-" : String.format("%.1f s", docker), goal);
    }
    out.printf("(%d runs; medians are compared with the goals%s)%n", runs, allMet ? "" : "; not every goal met");
    return 0;
  }

  private void step(Map<String, Double> run, String name, long since, Trace tr) {
    run.put(name, ms(since));
    if (trace && tr != null) {
      out.println("  " + name + ": " + tr);
    }
  }

  private void update(ApiClient api, String id, JsonNode current, ObjectNode spec) throws Exception {
    ApiClient.Response r = api.call("POST", "/services/" + id + "/update?version="
        + current.path("Version").path("Index").asLong(), Json.mapper().writeValueAsBytes(spec));
    if (r.status() != 200) {
      throw new DaemonErrorException(r.status(), r.text());
    }
  }

  private static Set<String> taskIds(ApiClient api, String serviceId) {
    Set<String> ids = new HashSet<>();
    ServiceTasks.list(api, serviceId).forEach(t -> ids.add(t.path("ID").asText()));
    return ids;
  }

  private static String updateState(ApiClient api, String id) {
    return api.getTree("/services/" + id).path("UpdateStatus").path("State").asText();
  }

  /** Tasks of the service that should run and do (with {@code env} in their spec, when given). */
  private static int running(List<JsonNode> tasks, String env) {
    return (int) ServiceTasks.running(tasks).stream().filter(t -> env == null || hasEnv(t, env)).count();
  }

  private static boolean hasEnv(JsonNode t, String env) {
    for (JsonNode e : t.path("Spec").path("ContainerSpec").path("Env")) {
      if (env.equals(e.asText())) {
        return true;
      }
    }
    return false;
  }

  /** Polls the service's tasks until {@code done} holds for them; feeds {@code tr} (when given) each poll. */
  private void awaitTasks(ApiClient api, String serviceId, long since, Trace tr, Predicate<List<JsonNode>> done)
      throws InterruptedException {
    ServiceTasks.await(api, serviceId, timeoutSeconds, POLL_MS, tr == null ? null : ts -> tr.see(ts, ms(since)), done);
  }

  /**
   * When tasks created during a step were first seen in each state (ms since the step started; polled, so
   * late by up to one poll): the first task and the last.
   */
  private static final class Trace {
    /** Tasks that existed before the step. */
    private final Set<String> before;
    private final Map<String, Map<String, Double>> seen = new HashMap<>();

    Trace(Set<String> before) {
      this.before = before;
    }

    void see(List<JsonNode> tasks, double at) {
      for (JsonNode t : tasks) {
        String id = t.path("ID").asText();
        if (before.contains(id) || !t.path("DesiredState").asText().equals("running")) {
          continue;
        }
        String state = t.path("Status").path("State").asText();
        Map<String, Double> states = seen.computeIfAbsent(id, k -> new HashMap<>());
        for (String s : STATES) {
          states.putIfAbsent(s, at); // a state seen implies every earlier one was passed by now
          if (s.equals(state)) {
            break;
          }
        }
      }
    }

    @Override
    public String toString() {
      Map<String, List<Double>> by = new TreeMap<>();
      for (Map<String, Double> states : seen.values()) {
        states.forEach((s, at) -> by.computeIfAbsent(s, k -> new ArrayList<>()).add(at));
      }
      StringBuilder b = new StringBuilder();
      for (String s : STATES) {
        List<Double> ats = by.get(s);
        if (ats != null && !ats.isEmpty()) {
          b.append(String.format("%s %.0f-%.0f ", s, Collections.min(ats), Collections.max(ats)));
        }
      }
      return b.append("ms (first-last task, polled)").toString();
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
