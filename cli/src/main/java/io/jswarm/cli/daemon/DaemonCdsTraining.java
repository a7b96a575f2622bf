package io.jswarm.cli.daemon;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The build's training run for the daemon's AppCDS archive ({@code cli/target/jswarm-daemon.jsa}, used by
 * {@code bin/jswarm daemon}; docs/footprint.md): a {@link ScratchDaemon} in this JVM (simulated executor, temporary
 * roots, loopback ports) becomes a swarm's only manager, runs a 2-replica service, lists, removes it and stops, so
 * that the JVM started with {@code -XX:DumpLoadedClassList} lists the classes a daemon loads. Archived classes are
 * parsed and verified once, at build time, and their metadata is mapped from the archive instead of built in each
 * daemon's metaspace. Nothing here runs in a real command. A failure (no root, a port taken) is reported and ends
 * the run with status 0: the archive then holds what was loaded until then, and the daemon simply loads the rest.
 */
public final class DaemonCdsTraining {
  private static final Duration BOUND = Duration.ofSeconds(90);

  private DaemonCdsTraining() {}

  public static void main(String[] args) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(BOUND.toMillis());
        System.err.println("daemon CDS training: not done within " + BOUND.toSeconds() + " s; the archive holds what"
            + " was loaded so far");
        Runtime.getRuntime().halt(0);
      } catch (InterruptedException e) {
        // done in time
      }
    }, "cds-training-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try (ScratchDaemon d = ScratchDaemon.start(100)) {
      train("http://127.0.0.1:" + d.apiPort() + "/v1.41");
    } catch (Exception e) {
      System.err.println("daemon CDS training: " + e + "; the archive holds what was loaded so far");
    }
    System.exit(0);
  }

  private static void train(String base) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String created = send(http, "POST", base + "/services/create", "{\"Name\":\"cds\",\"TaskTemplate\":"
        + "{\"ContainerSpec\":{\"Image\":\"busybox\",\"Args\":[\"sleep\",\"1000\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":2}}}");
    String id = created.replaceAll("(?s).*\"ID\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!send(http, "GET", base + "/services?status=true", null).contains("\"RunningTasks\":2")
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    for (String path : new String[] {"/nodes", "/tasks", "/info", "/networks", "/services/" + id, "/swarm"}) {
      send(http, "GET", base + path, null);
    }
    send(http, "DELETE", base + "/services/" + id, null);
  }

  private static String send(HttpClient http, String method, String uri, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }
}
