package io.jswarm.cli.daemon;

import io.jswarm.transport.net.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Spec.Raft.ElectionTick} drives the manager's Raft member: the tick given at {@code swarm init} is the
 * running member's election timeout (read from Ratis, not from jswarm's config), a {@code swarm update} is saved
 * by the manager and taken at its next start, and {@code swarm leave} forgets it.
 */
class RaftElectionTickTest {
  @TempDir
  Path dir;

  @Test
  void theSpecsElectionTickIsTheMembersTimeoutAtInitAndAfterAnUpdateAtTheNextStart() throws Exception {
    DaemonOptions opts = new DaemonOptions(dir.resolve("data"), dir.resolve("run"),
        List.of("tcp://127.0.0.1:" + FreePorts.pick()), "jswarm-ret", "retnode", FreePorts.pick(), FreePorts.pick(), "simulated",
        "runc", 10_000, Map.of(), List.of(), "jswarm_ret", "172.31.251.0/24", ApiListeners.Security.NONE);
    try (Daemon d = new Daemon(opts, "ret")) {
      d.start();
      SwarmRequests.Init req = new SwarmRequests.Init();
      req.listenAddr = "127.0.0.1:" + opts.clusterPort();
      req.advertiseAddr = "127.0.0.1:" + opts.clusterPort();
      req.spec = new Swarm.Spec();
      req.spec.raft = new Swarm.Raft();
      req.spec.raft.electionTick = 4L;
      assertNotNull(d.init(req));
      assertEquals(Duration.ofMillis(400), d.managerRole().electionTimeoutMin(), "the init spec's 4 ticks of 100 ms");

      d.managerRole().store().update(tx -> {
        Swarm s = tx.cluster().all().get(0);
        s.spec.raft.electionTick = 7L;
        tx.cluster().update(s);
        return null;
      });
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Long.valueOf(7).equals(RaftTiming.load(opts.dataRoot())) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(7L, RaftTiming.load(opts.dataRoot()), "the manager saved the updated tick");
      assertEquals(Duration.ofMillis(400), d.managerRole().electionTimeoutMin(), "a running member keeps its own");
    }
    try (Daemon d = new Daemon(opts, "ret")) {
      d.start();
      assertNotNull(d.managerRole(), "the manager resumed");
      assertEquals(Duration.ofMillis(700), d.managerRole().electionTimeoutMin(), "the update, at the next start");
      d.leave(true);
      assertEquals(null, RaftTiming.load(opts.dataRoot()), "leaving forgets the cluster's tick");
    }
  }

  @Test
  void noTickMeansTheDefaultOfHalfASecondToOne() throws IOException {
    assertEquals(Duration.ofMillis(500), RaftTiming.atStart(dir).electionTimeoutMin());
    assertEquals(Duration.ofMillis(500), RaftTiming.electionTimeoutMin(RaftTiming.electionTick(new Swarm.Spec())));
  }

}
