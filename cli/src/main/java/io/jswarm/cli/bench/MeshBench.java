package io.jswarm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.DaemonErrorException;
import io.jswarm.cli.client.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench mesh}: HTTP requests per second and latency from a client container to a web service, three
 * ways: straight to one task's overlay address, through the service's VIP (nftables DNAT in the client's
 * namespace), and through the routing mesh (the node's published port, DNAT to the ingress sandbox, then to a task
 * over the ingress network). Runs {@code wrk} (Debian package) inside the client container's network namespace.
 * Must run on the node where the client task runs (a single-node swarm is simplest); removes what it made.
 */
@Command(name = "mesh", description = "Requests/s and latency: straight to a task vs through the VIP vs through the "
    + "routing mesh (needs wrk).")
public final class MeshBench extends ClientCommand {
  @Option(names = "--image", required = true,
      description = "Image with busybox httpd serving /www (scripts/demo.sh makes one) and sh/sleep.")
  String image;

  @Option(names = "--replicas", defaultValue = "2", description = "Web tasks (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--duration", defaultValue = "5", description = "Seconds per wrk run (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--connections", defaultValue = "8", description = "wrk connections (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--runs", defaultValue = "3", description = "wrk runs per path; medians (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for the services to run.")
  int timeoutSeconds;

  /** One wrk result. */
  record Result(double requestsPerSecond, double p50Ms, double p99Ms, long errors) {}

  @Override
  protected int run(ApiClient api) throws Exception {
    String wrk = findWrk();
    String tag = "bench-mesh-" + ProcessHandle.current().pid();
    String networkId = null;
    List<String> services = new ArrayList<>();
    try {
      networkId = create(api, "/networks/create", Map.of("Name", tag, "Driver", "overlay"), "Id");
      String web = create(api, "/services/create", webSpec(tag + "-web", networkId), "ID");
      services.add(web);
      String client = create(api, "/services/create", clientSpec(tag + "-client", networkId), "ID");
      services.add(client);
      List<JsonNode> webTasks = awaitRunning(api, web, replicas);
      JsonNode clientTask = awaitRunning(api, client, 1).get(0);
      long pid = clientTask.path("Status").path("ContainerStatus").path("PID").asLong();
      if (pid <= 0 || !Files.exists(Path.of("/proc", Long.toString(pid)))) {
        throw new UsageException("the client task runs on another node (or has no process here); run the benchmark "
            + "on the node of task " + clientTask.path("ID").asText() + " or on a single-node swarm");
      }
      JsonNode service = api.getTree("/services/" + web);
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("task", "http://" + address(webTasks.get(0), networkId) + "/");
      targets.put("vip", "http://" + vip(service, networkId) + "/");
      targets.put("mesh", "http://" + gateway(pid) + ":" + publishedPort(service) + "/");
      awaitAnswers(pid, targets.values());
      Map<String, Result> results = new LinkedHashMap<>();
      for (Map.Entry<String, String> t : targets.entrySet()) {
        List<Result> rs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          rs.add(wrk(wrk, pid, t.getValue()));
        }
        Result m = median(rs);
        results.put(t.getKey(), m);
        out.printf("%-5s %-32s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n", t.getKey(), t.getValue(),
            m.requestsPerSecond(), m.p50Ms(), m.p99Ms(), m.errors());
        out.flush();
      }
      Result direct = results.get("task");
      for (String via : List.of("vip", "mesh")) {
        Result r = results.get(via);
        out.printf("%s / task: throughput %.2f, p50 latency %.2f%n", via, r.requestsPerSecond()
            / direct.requestsPerSecond(), r.p50Ms() / direct.p50Ms());
      }
      return 0;
    } finally {
      for (String s : services) {
        quietly(() -> api.delete("/services/" + s));
      }
      String net = networkId;
      if (net != null) {
        awaitGone(api, services);
        quietly(() -> api.delete("/networks/" + net));
      }
    }
  }

  private ObjectNode webSpec(String name, String networkId) {
    ObjectNode spec = base(name, networkId, List.of("httpd", "-f", "-p", "80", "-h", "/www"), replicas);
    ObjectNode port = spec.putObject("EndpointSpec").putArray("Ports").addObject();
    port.put("Protocol", "tcp");
    port.put("TargetPort", 80);
    return spec;
  }

  private ObjectNode clientSpec(String name, String networkId) {
    return base(name, networkId, List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"), 1);
  }

  private ObjectNode base(String name, String networkId, List<String> args, int n) {
    ObjectNode spec = Json.mapper().createObjectNode();
    spec.put("Name", name);
    ObjectNode tt = spec.putObject("TaskTemplate");
    ObjectNode cs = tt.putObject("ContainerSpec");
    cs.put("Image", image);
    args.forEach(cs.putArray("Args")::add);
    tt.putArray("Networks").addObject().put("Target", networkId);
    spec.putObject("Mode").putObject("Replicated").put("Replicas", n);
    return spec;
  }

  private static String create(ApiClient api, String path, Object body, String idField) throws IOException {
    ApiClient.Response r = api.call("POST", path, Json.mapper().writeValueAsBytes(body));
    if (r.status() != 201 && r.status() != 200) {
      throw new DaemonErrorException(r.status(), r.text());
    }
    return r.tree().path(idField).asText();
  }

  private List<JsonNode> awaitRunning(ApiClient api, String serviceId, int n) throws InterruptedException {
    return ServiceTasks.running(ServiceTasks.await(api, serviceId, timeoutSeconds, 50, null,
        ts -> ServiceTasks.running(ts).size() == n));
  }

  /** Best effort, before removing the network: waits for the services' tasks to be gone, gives up quietly. */
  private void awaitGone(ApiClient api, List<String> serviceIds) throws InterruptedException {
    try {
      for (String s : serviceIds) {
        ServiceTasks.await(api, s, timeoutSeconds, 50, null, List::isEmpty);
      }
    } catch (IllegalStateException stillThere) {
      // the network removal below then fails quietly too; the result is printed already
    }
  }

  /** The task's address (no prefix length) on the network. */
  static String address(JsonNode task, String networkId) {
    for (JsonNode a : task.path("NetworksAttachments")) {
      if (a.path("Network").path("ID").asText().equals(networkId) && a.path("Addresses").size() > 0) {
        return a.path("Addresses").get(0).asText().split("/")[0];
      }
    }
    throw new IllegalStateException("task " + task.path("ID").asText() + " has no address on network " + networkId);
  }

  static String vip(JsonNode service, String networkId) {
    for (JsonNode v : service.path("Endpoint").path("VirtualIPs")) {
      if (v.path("NetworkID").asText().equals(networkId)) {
        return v.path("Addr").asText().split("/")[0];
      }
    }
    throw new IllegalStateException("the service has no VIP on network " + networkId + " yet");
  }

  static long publishedPort(JsonNode service) {
    for (JsonNode p : service.path("Endpoint").path("Ports")) {
      if (p.path("PublishedPort").asLong() > 0) {
        return p.path("PublishedPort").asLong();
      }
    }
    throw new IllegalStateException("the service has no published port yet");
  }

  /** The default gateway of the process' network namespace (the node's bridge address), from its route table. */
  static String gateway(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "route"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 2 && f[1].equals("00000000") && !f[2].equals("00000000")) {
        long g = Long.parseLong(f[2], 16); // little-endian hex
        return (g & 0xff) + "." + ((g >> 8) & 0xff) + "." + ((g >> 16) & 0xff) + "." + ((g >> 24) & 0xff);
      }
    }
    throw new IllegalStateException("the client container has no default route");
  }

  private static String findWrk() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "wrk"))) {
        return Path.of(dir, "wrk").toString();
      }
    }
    throw new UsageException("wrk is not installed: apt-get install wrk");
  }

  /** Waits until every URL answers from inside the client (the VIP and mesh rules arrive after the tasks run). */
  private void awaitAnswers(long pid, Iterable<String> urls) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (String url : urls) {
      while (true) {
        Process p = new ProcessBuilder("nsenter", "--net=/proc/" + pid + "/ns/net", "curl", "-sf", "-o", "/dev/null",
            "-m", "2", url).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() == 0) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(url + " does not answer from the client container");
        }
        Thread.sleep(200);
      }
    }
  }

  private Result wrk(String wrk, long pid, String url) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("nsenter", "--net=/proc/" + pid + "/ns/net", wrk, "-t", "1", "-c",
        Integer.toString(connections), "-d", duration + "s", "--latency", url).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("wrk failed on " + url + ":\n" + text);
    }
    return parse(text);
  }

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern ERRORS = Pattern.compile(
      "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

  /** Reads wrk's summary. Socket read errors are not counted: busybox httpd closes every connection after one answer. */
  static Result parse(String text) {
    Matcher rps = RPS.matcher(text);
    Matcher p50 = P50.matcher(text);
    Matcher p99 = P99.matcher(text);
    if (!rps.find() || !p50.find() || !p99.find()) {
      throw new IllegalStateException("cannot read wrk's output:\n" + text);
    }
    long errors = 0;
    Matcher e = ERRORS.matcher(text);
    if (e.find()) {
      errors += Long.parseLong(e.group(1)) + Long.parseLong(e.group(3)) + Long.parseLong(e.group(4));
    }
    Matcher n = NON_2XX.matcher(text);
    if (n.find()) {
      errors += Long.parseLong(n.group(1));
    }
    return new Result(Double.parseDouble(rps.group(1)), millis(p50), millis(p99), errors);
  }

  private static double millis(Matcher m) {
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }

  private static Result median(List<Result> rs) {
    List<Result> s = new ArrayList<>(rs);
    s.sort((a, b) -> Double.compare(a.requestsPerSecond(), b.requestsPerSecond()));
    return s.get(s.size() / 2);
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step s) {
    try {
      s.run();
    } catch (Exception ignored) {
      // best effort clean-up: the benchmark's result is already printed
    }
  }
}
