package io.jswarm.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's training run for the daemon's class archive (docs/footprint.md): run as the build runs it, in a child
 * JVM logging the classes it loads, it completes every step, goes through the paths {@code bench footprint}'s idle
 * daemon takes (an image import, the API's unix socket, the agent's Netty connection to its own dispatcher), and
 * loads no class of the JDK's HTTP client, which a daemon no longer loads (this JDK maps the whole archive resident,
 * so an archived class nobody uses costs as much as one used).
 */
class DaemonCdsTrainingTest {
  @TempDir
  Path dir;

  @Test
  void trainsTheIdleDaemonsPathsAndNotTheJdkHttpClient() throws Exception {
    Path log = dir.resolve("classes.log");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", ProcessCluster.classPath(),
        "-Xlog:class+load=info:file=" + log, DaemonCdsTraining.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertFalse(out.contains("daemon CDS training:"), "a step of the training failed: " + out);
    List<String> loaded = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      int at = line.indexOf("[class,load] ");
      if (at >= 0) {
        loaded.add(line.substring(at + "[class,load] ".length()).split(" ")[0]);
      }
    }
    for (String expected : List.of("io.jswarm.worker.image.ImageApi", "io.jswarm.worker.image.LayerUnpacker",
        "io.jswarm.worker.agent.NettyDispatcherTransport", "io.netty.channel.epoll.EpollServerDomainSocketChannel",
        "io.jswarm.cli.daemon.WorkerRole")) {
      assertTrue(loaded.contains(expected), "the training does not load " + expected);
    }
    List<String> httpClient = loaded.stream()
        .filter(c -> c.startsWith("jdk.internal.net.http.") || c.equals("java.net.http.HttpClient")).toList();
    assertEquals(List.of(), httpClient, "the training (or the daemon) loads the JDK's HTTP client");
  }
}
