package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a running member costs beyond Raft itself (docs/footprint.md). */
class RaftFootprintTest {
  @Test
  void aMemberRegistersNoMBeanPerRatisMetric(@TempDir Path dir) throws Exception {
    try (MiniCluster c = MiniCluster.start(1, dir, b -> { })) {
      // Ratis' default JMX reporter names every metric's MBean with a "name" key in a "ratis..." domain
      List<ObjectName> perMetric = ManagementFactory.getPlatformMBeanServer().queryNames(null, null).stream()
          .filter(n -> n.getDomain().startsWith("ratis") && n.getKeyProperty("name") != null).toList();
      assertEquals(List.of(), perMetric);
    }
  }
}
