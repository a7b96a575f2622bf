package io.jswarm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.daemon.ScratchDaemon;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A service with many replicas (simulated executor) is created in bounded batches while the API keeps answering:
 * every task ends up running and {@code GET /services} meanwhile stays well under a second at p99. The numbers
 * are printed; the bound asserted is generous (a loaded CI machine), the goal (p99 under 200 ms for 100,000) is
 * measured by {@code jswarm bench replicas}. {@code -Djswarm.replicas=N} changes the size (default 100,000).
 */
class LargeServiceTest {
  private static final long REPLICAS = Long.getLong("jswarm.replicas", 100_000);

  @Test
  void aLargeServiceIsCreatedWhileTheApiKeepsAnswering() throws Exception {
    try (ScratchDaemon d = ScratchDaemon.start(100_000)) {
      ReplicasBench.Result r = ReplicasBench.measure(d.apiPort(), REPLICAS, 20, Duration.ofMinutes(10));
      System.out.println("LargeServiceTest: " + r);
      assertEquals(REPLICAS, r.running(), r.toString());
      assertTrue(r.listP99Ms() < 1000, "GET /services p99 while creating: " + r);
    }
  }
}
