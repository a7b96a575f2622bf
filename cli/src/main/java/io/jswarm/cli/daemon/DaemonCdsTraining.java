package io.jswarm.cli.daemon;

import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The build's training run for the daemon's AppCDS archive ({@code cli/target/jswarm-daemon.jsa}, used by
 * {@code bin/jswarm daemon}; docs/footprint.md): a {@link ScratchDaemon} in this JVM (simulated executor, temporary
 * roots, loopback ports) becomes a swarm's only manager, imports an image, runs a 2-replica service, answers the
 * listings the CLI and the docker client ask for over its unix socket, removes the service and stops, so that the JVM
 * started with {@code -XX:DumpLoadedClassList} lists the classes a daemon loads. Archived classes are parsed and
 * verified once, at build time, and their metadata is mapped from the archive instead of built in each daemon's
 * metaspace. This JVM's side of the exchanges goes through jswarm's own client, never the JDK's HTTP client: this
 * JDK maps and patches the whole archive, so a class archived and not used by a daemon costs its resident memory as
 * much as one used. Nothing here runs in a real command. A failure (no root, a port taken) is reported and ends the
 * run with status 0: the archive then holds what was loaded until then, and the daemon simply loads the rest.
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
    try (ScratchDaemon d = ScratchDaemon.start(100);
        ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + d.apiSocket()))) {
      train(api);
    } catch (Exception e) {
      System.err.println("daemon CDS training: " + e + "; the archive holds what was loaded so far");
    }
    System.exit(0);
  }

  /** What {@code bench footprint} and an everyday CLI ask of an idle daemon, through its unix socket. */
  static void train(ApiClient api) throws Exception {
    api.call("GET", "/_ping", null);
    api.call("POST", "/images/create?fromSrc=-&repo=jswarm/cds-training&tag=1", layer());
    String created = api.call("POST", "/services/create", ("{\"Name\":\"cds\",\"TaskTemplate\":"
        + "{\"ContainerSpec\":{\"Image\":\"busybox\",\"Args\":[\"sleep\",\"1000\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":2}}}").getBytes(StandardCharsets.UTF_8)).text();
    String id = api.call("GET", "/services?filters=" + java.net.URLEncoder.encode("{\"name\":{\"cds\":true}}",
        StandardCharsets.UTF_8), null).tree().get(0).path("ID").asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!api.call("GET", "/services?status=true", null).text().contains("\"RunningTasks\":2")
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    for (String path : List.of("/version", "/info", "/nodes", "/tasks", "/tasks?filters="
        + java.net.URLEncoder.encode("{\"service\":{\"cds\":true}}", StandardCharsets.UTF_8), "/networks",
        "/images/json", "/services/" + id, "/swarm")) {
      api.call("GET", path, null);
    }
    api.call("DELETE", "/services/" + id, null);
    if (created.isEmpty()) {
      throw new IllegalStateException("the service create answered nothing");
    }
  }

  /** A one-file layer, as {@code docker import} sends it (the tar command's, as {@code bench footprint} makes). */
  private static byte[] layer() throws Exception {
    Path dir = Files.createTempDirectory("jswarm-cds-layer");
    try {
      Files.createDirectories(dir.resolve("etc"));
      Files.writeString(dir.resolve("etc/hostname"), "cds\n");
      Process tar = new ProcessBuilder("tar", "-C", dir.toString(), "-cf", "-", ".").start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      tar.getInputStream().transferTo(out);
      if (tar.waitFor() != 0) {
        throw new IllegalStateException("tar failed: " + new String(tar.getErrorStream().readAllBytes(),
            StandardCharsets.UTF_8));
      }
      return out.toByteArray();
    } finally {
      Files.deleteIfExists(dir.resolve("etc/hostname"));
      Files.deleteIfExists(dir.resolve("etc"));
      Files.deleteIfExists(dir);
    }
  }
}
