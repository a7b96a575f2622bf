package io.jswarm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.daemon.ScratchDaemon;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench replicas}: creates one service with many replicas on a private daemon (this JVM, simulated
 * executor, temporary data root) and, while the orchestrator creates its tasks, lists services ({@code GET
 * /services}) every {@code --poll-ms}, from another client as a user would. Prints how long the create call took,
 * when every task was running, and the latency quantiles of the listing meanwhile: the API must stay responsive
 * while a large service is being created (issue 14's goal: p99 under 200 ms for 100,000 replicas).
 */
@Command(name = "replicas", description = "Time a many-replica service's creation and the API's latency meanwhile.")
public final class ReplicasBench implements Callable<Integer> {
  /** Heap the daemon and the bench take per 1,000 replicas (about 1 GB used at the end of a 100,000 run). */
  private static final long MB_PER_1000_REPLICAS = 15;

  @Option(names = "--replicas", defaultValue = "100000", description = "Replicas of the service (default: ${DEFAULT-VALUE}).")
  long replicas;

  @Option(names = "--poll-ms", defaultValue = "20", description = "Pause between two listings (default: ${DEFAULT-VALUE}).")
  int pollMs;

  @Option(names = "--timeout", defaultValue = "900", description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** What one run measured; times in ms. */
  public record Result(long replicas, double createCallMs, double allRunningMs, long running, int listings,
      double listP50Ms, double listP99Ms, double listMaxMs, long gcCount, double gcSeconds, long heapUsedMb) {
    @Override
    public String toString() {
      return String.format("%d replicas: create call %.0f ms, all running after %.1f s (%d running); "
          + "GET /services meanwhile: %d calls, p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
          + "this JVM (daemon and bench) meanwhile: %d GCs, %.1f s in GC, heap used at the end %d MB",
          replicas, createCallMs, allRunningMs / 1000, running, listings, listP50Ms, listP99Ms, listMaxMs, gcCount,
          gcSeconds, heapUsedMb);
    }
  }

  /** Collections and milliseconds spent in them by every collector of this JVM so far. */
  private static long[] gcTotals() {
    long count = 0;
    long ms = 0;
    for (java.lang.management.GarbageCollectorMXBean gc
        : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, ms};
  }

  @Override
  public Integer call() throws Exception {
    if (replicas < 1 || pollMs < 0) {
      throw new IllegalArgumentException("--replicas must be at least 1 and --poll-ms not negative");
    }
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    System.out.printf("daemon in this JVM: %s, heap cap %d MB (JSWARM_JAVA_OPTS sets both, docs/scale.md)%n",
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().get(0).getName(), heapMb);
    if (heapMb < replicas * MB_PER_1000_REPLICAS / 1000) {
      System.out.printf("warning: %d replicas need about %d MB of heap; give more with "
          + "JSWARM_JAVA_OPTS=-Xmx%dm, or the numbers measure the garbage collector%n", replicas,
          replicas * MB_PER_1000_REPLICAS / 1000, replicas * MB_PER_1000_REPLICAS / 1000);
    }
    try (ScratchDaemon d = ScratchDaemon.start(Math.max(replicas, 100_000))) {
      Result r = measure(d.apiPort(), replicas, pollMs, Duration.ofSeconds(timeoutSeconds), true);
      System.out.println(r);
      return r.running() == replicas ? 0 : 1;
    }
  }

  /**
   * Creates the service on the daemon at {@code 127.0.0.1:apiPort} and lists services every {@code pollMs} until
   * every task runs or {@code timeout} passes.
   */
  public static Result measure(int apiPort, long replicas, int pollMs, Duration timeout, boolean progress)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    String base = "http://127.0.0.1:" + apiPort + "/v1.41";
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    Thread lister = new Thread(() -> {
      HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      while (!done.get()) {
        long t0 = System.nanoTime();
        try {
          HttpResponse<String> r = own.send(HttpRequest.newBuilder(URI.create(base + "/services"))
              .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            latencies.add(System.nanoTime() - t0);
          }
          Thread.sleep(pollMs);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          latencies.add(System.nanoTime() - t0); // a failed listing counts with the time it took
        }
      }
    }, "bench-lister");
    lister.setDaemon(true);
    lister.start();
    long[] gcBefore = gcTotals();
    long start = System.nanoTime();
    String spec = "{\"Name\":\"many\",\"Mode\":{\"Replicated\":{\"Replicas\":" + replicas + "}},"
        + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox:1\"}}}";
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/services/create"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
    double createMs = (System.nanoTime() - start) / 1e6;
    if (created.statusCode() != 201) {
      done.set(true);
      throw new IllegalStateException("service create answered " + created.statusCode() + ": " + created.body());
    }
    long running = 0;
    long deadline = start + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/services?status=true"))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode list = Json.mapper().readTree(r.body());
      running = list.isArray() && list.size() > 0 ? list.get(0).path("ServiceStatus").path("RunningTasks").asLong() : 0;
      if (running >= replicas) {
        break;
      }
      if (progress && (System.nanoTime() - start) / 1_000_000_000L % 5 == 0) {
        System.out.printf("  %.0f s: %d running, %d listings so far%n", (System.nanoTime() - start) / 1e9, running,
            latencies.size());
      }
    }
    double allMs = (System.nanoTime() - start) / 1e6;
    done.set(true);
    lister.join(5000);
    long[] a;
    synchronized (latencies) {
      a = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }
    long[] gcAfter = gcTotals();
    long heapMb = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    return new Result(replicas, createMs, allMs, running, a.length, q(a, 0.5), q(a, 0.99), q(a, 1),
        gcAfter[0] - gcBefore[0], (gcAfter[1] - gcBefore[1]) / 1000.0, heapMb);
  }

  private static double q(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
