package io.jswarm.reliability.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.types.TaskState;
import io.jswarm.reliability.check.TaskStateChecker;
import io.jswarm.reliability.history.History;
import io.jswarm.reliability.history.Op;
import io.jswarm.reliability.history.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The concurrent clients of a nemesis run. Service clients create, compare-and-set ({@code ?version=}), read and
 * remove services from a small shared set of names, each through a manager picked at random per operation; a node
 * client updates the nodes' labels with {@code ?version=}; a watcher lists tasks. Every operation is recorded in
 * the {@link History} with its invoke and complete times and its outcome: a 2xx is OK, a 4xx FAILED, and a 5xx,
 * timeout or broken connection UNKNOWN (the write may still be applied, at any later time).
 */
public final class Clients {
  /** Label that carries a client's written value on services and nodes. */
  public static final String LABEL = "nemesis";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final History history;
  private final Supplier<String> randomManagerApi;
  private final List<String> serviceKeys;
  private final List<String> nodeKeys;
  private final String taskTemplate;
  private final ApiCalls api = new ApiCalls();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong values = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param randomManagerApi an API address (ip:port) of a manager, a different one at random on each call
   * @param serviceKeys service names the clients fight over
   * @param nodeKeys node hostnames whose labels the node client updates
   * @param taskTemplate the {@code TaskTemplate} (JSON) of the services the clients create
   */
  public Clients(History history, Supplier<String> randomManagerApi, List<String> serviceKeys, List<String> nodeKeys,
      String taskTemplate) {
    this.taskTemplate = taskTemplate;
    this.history = history;
    this.randomManagerApi = randomManagerApi;
    this.serviceKeys = List.copyOf(serviceKeys);
    this.nodeKeys = List.copyOf(nodeKeys);
  }

  /** Starts {@code serviceClients} service clients, one node client and one task watcher, seeded from {@code seed}. */
  public void start(int serviceClients, long seed) {
    running.set(true);
    for (int p = 0; p < serviceClients; p++) {
      int process = p;
      Random r = new Random(seed * 31 + p);
      threads.add(loop("nemesis-client-" + p, () -> serviceOp(process, r)));
    }
    Random nr = new Random(seed * 31 + 97);
    threads.add(loop("nemesis-node-client", () -> nodeOp(serviceClients, nr)));
    threads.add(loop("nemesis-task-watcher", this::watchTasks));
    threads.forEach(Thread::start);
  }

  /** Stops the clients and waits for their last operations to finish (or time out). */
  public void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(ApiCalls.REQUEST_TIMEOUT.toMillis() * 3);
    }
  }

  private Thread loop(String name, Runnable op) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        op.run();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name);
    t.setDaemon(true);
    return t;
  }

  private String nextValue(int process) {
    return "p" + process + "-" + values.incrementAndGet();
  }

  private void serviceOp(int p, Random r) {
    String key = serviceKeys.get(r.nextInt(serviceKeys.size()));
    String via = randomManagerApi.get();
    int dice = r.nextInt(10);
    if (dice < 2) {
      String v = nextValue(p);
      String body = "{\"Name\":\"" + key + "\",\"Labels\":{\"" + LABEL + "\":\"" + v + "\"},"
          + "\"TaskTemplate\":" + taskTemplate + ",\"Mode\":{\"Replicated\":{\"Replicas\":1}}}";
      long t0 = history.now();
      Outcome o = write(via, "POST", "/services/create", body);
      history.add(Op.create(p, key, v, t0, history.now(), o).via(via));
    } else if (dice < 7) {
      Read read = read(p, via, "/services/" + key, key);
      if (read == null || read.node == null) {
        return;
      }
      String v = nextValue(p);
      ObjectNode spec = (ObjectNode) read.node.path("Spec");
      spec.withObjectProperty("Labels").put(LABEL, v);
      long t0 = history.now();
      Outcome o = write(via, "POST", "/services/" + read.node.path("ID").asText() + "/update?version="
          + read.node.path("Version").path("Index").asLong(), spec.toString());
      history.add(Op.cas(p, key, read.value, v, t0, history.now(), o).via(via));
    } else if (dice < 9) {
      read(p, via, "/services/" + key, key);
    } else {
      long t0 = history.now();
      Outcome o = write(via, "DELETE", "/services/" + key, null);
      history.add(Op.delete(p, key, t0, history.now(), o).via(via));
    }
  }

  private void nodeOp(int p, Random r) {
    String host = nodeKeys.get(r.nextInt(nodeKeys.size()));
    String key = "node:" + host;
    String via = randomManagerApi.get();
    Read read = read(p, via, "/nodes/" + host, key);
    if (read == null || read.node == null) {
      return;
    }
    String v = nextValue(p);
    ObjectNode spec = (ObjectNode) read.node.path("Spec");
    spec.withObjectProperty("Labels").put(LABEL, v);
    long t0 = history.now();
    Outcome o = write(via, "POST", "/nodes/" + read.node.path("ID").asText() + "/update?version="
        + read.node.path("Version").path("Index").asLong(), spec.toString());
    history.add(Op.cas(p, key, read.value, v, t0, history.now(), o).via(via));
  }

  /** A read recorded in the history (unless it failed or was marked stale); null when it told nothing. */
  private Read read(int p, String via, String path, String key) {
    long t0 = history.now();
    ApiCalls.Answer a;
    try {
      a = api.call(via, "GET", path, null);
    } catch (IOException e) {
      return null;
    }
    long t1 = history.now();
    if (a.stale() || (a.status() != 200 && a.status() != 404)) {
      return null;
    }
    if (a.status() == 404) {
      history.add(Op.read(p, key, null, t0, t1).via(via));
      return new Read(null, null);
    }
    try {
      JsonNode n = JSON.readTree(a.body());
      JsonNode label = n.path("Spec").path("Labels").path(LABEL);
      String value = label.isMissingNode() || label.isNull() ? null : label.asText();
      if (value != null || !key.startsWith("node:")) {
        history.add(Op.read(p, key, value, t0, t1).via(via));
      }
      return new Read(n, value);
    } catch (IOException e) {
      return null;
    }
  }

  private record Read(JsonNode node, String value) {}

  private Outcome write(String via, String method, String path, String body) {
    try {
      ApiCalls.Answer a = api.call(via, method, path, body);
      if (a.status() < 300) {
        return Outcome.OK;
      }
      return a.status() < 500 ? Outcome.FAILED : Outcome.UNKNOWN;
    } catch (IOException e) {
      return Outcome.UNKNOWN;
    }
  }

  private void watchTasks() {
    String via = randomManagerApi.get();
    long t0 = history.now();
    ApiCalls.Answer a;
    try {
      a = api.call(via, "GET", "/tasks", null);
    } catch (IOException e) {
      return;
    }
    long t1 = history.now();
    if (a.status() != 200 || a.stale()) {
      return;
    }
    try {
      String listing = via + "@" + t0;
      for (JsonNode t : JSON.readTree(a.body())) {
        String state = t.path("Status").path("State").asText("new");
        history.observe(new TaskStateChecker.Observation(t.path("ID").asText(),
            TaskState.valueOf(state.toUpperCase(Locale.ROOT)), t0, t1, listing));
      }
    } catch (IOException | IllegalArgumentException e) {
      // an answer cut short: no observation
    }
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
