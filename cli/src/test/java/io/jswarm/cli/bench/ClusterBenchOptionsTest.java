package io.jswarm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench cluster}'s managers run with the collector of bin/jswarm's throughput profile unless told otherwise. */
class ClusterBenchOptionsTest {
  private static ClusterBench parsed(String... args) {
    ClusterBench b = new ClusterBench();
    new CommandLine(b).parseArgs(args);
    return b;
  }

  @Test
  void managersGetTheThroughputCollectorByDefault() {
    assertEquals(List.of("-Xmx768m", "-XX:+UseParallelGC", "-Xlog:gc"),
        parsed("--manager-java-opt=-Xlog:gc").managerOpts());
  }

  @Test
  void aCollectorNamedByTheCallerReplacesTheDefault() {
    assertEquals(List.of("-Xmx512m", "-XX:+UseSerialGC"),
        parsed("--manager-heap", "512m", "--manager-java-opt=-XX:+UseSerialGC").managerOpts());
  }

  /** One rule in two languages: the bench says it runs the daemon's throughput profile, so bin/jswarm must agree. */
  @Test
  void binJswarmsThroughputProfileUsesTheSameCollector() throws Exception {
    Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("bin").resolve("jswarm");
    String text = Files.readString(script);
    Matcher m = Pattern.compile("(?s)\\n\\s*throughput\\)\\s*\\n(.*?);;").matcher(text);
    assertTrue(m.find(), "no throughput profile in " + script);
    assertTrue(m.group(1).contains(ClusterBench.MANAGER_COLLECTOR), m.group(1));
  }
}
