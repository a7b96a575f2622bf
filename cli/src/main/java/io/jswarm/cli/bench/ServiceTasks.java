package io.jswarm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonErrorException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The benchmarks' view of a service's tasks through the API: listing them and polling until a condition holds. */
final class ServiceTasks {
  private ServiceTasks() {}

  /**
   * The service's tasks (filtered by the daemon, so that polling costs it little; a removed service is no longer a
   * valid filter, then every task is listed and filtered here).
   */
  static List<JsonNode> list(ApiClient api, String serviceId) {
    JsonNode all;
    try {
      all = api.getTree("/tasks?filters=" + URLEncoder.encode("{\"service\":{\"" + serviceId + "\":true}}",
          StandardCharsets.UTF_8));
    } catch (DaemonErrorException gone) {
      all = api.getTree("/tasks");
    }
    List<JsonNode> tasks = new ArrayList<>();
    for (JsonNode t : all) {
      if (t.path("ServiceID").asText().equals(serviceId)) {
        tasks.add(t);
      }
    }
    return tasks;
  }

  /** The tasks that should run and do. */
  static List<JsonNode> running(List<JsonNode> tasks) {
    return tasks.stream().filter(t -> t.path("DesiredState").asText().equals("running")
        && t.path("Status").path("State").asText().equals("running")).toList();
  }

  /**
   * Polls the service's tasks every {@code pollMs} until {@code done} holds for them and returns them; {@code each}
   * (when given) sees every poll.
   *
   * @throws IllegalStateException after {@code timeoutSeconds}, naming the service
   */
  static List<JsonNode> await(ApiClient api, String serviceId, int timeoutSeconds, long pollMs,
      Consumer<List<JsonNode>> each, Predicate<List<JsonNode>> done) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (true) {
      List<JsonNode> tasks = list(api, serviceId);
      if (each != null) {
        each.accept(tasks);
      }
      if (done.test(tasks)) {
        return tasks;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("service " + serviceId + " did not converge within " + timeoutSeconds
            + " s; see 'jswarm service ps " + serviceId + "'");
      }
      Thread.sleep(pollMs);
    }
  }
}
