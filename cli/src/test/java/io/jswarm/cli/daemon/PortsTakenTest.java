package io.jswarm.cli.daemon;

import io.jswarm.transport.net.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.RootCA;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarm init} on a daemon whose {@code --raft-port} or cluster port another process holds: a clear error (503)
 * naming the address and the flag, the node left as it was, and a retry once the port is free works. Before, Ratis'
 * terminate path called System.exit while init held the daemon's lock, and the process hung (this test JVM with it);
 * a taken cluster port answered 500 after 15 s of retries.
 */
class PortsTakenTest {
  @TempDir
  Path dir;

  @Test
  void initOnATakenRaftPortAnswersWhatToDoAndARetryWorks() throws Exception {
    int cluster = FreePorts.pick();
    ServerSocket taken = new ServerSocket();
    taken.bind(new InetSocketAddress("127.0.0.1", 0));
    int raft = taken.getLocalPort();
    DaemonOptions opts = new DaemonOptions(dir.resolve("data"), dir.resolve("run"),
        List.of("tcp://127.0.0.1:" + FreePorts.pick()), "jswarm-rpt", "rptnode", cluster, raft, "simulated", "runc", 10_000,
        Map.of(), List.of(), "jswarm_rpt", "172.31.252.0/24", ApiListeners.Security.NONE);
    try (Daemon d = new Daemon(opts, "rpt")) {
      d.start();
      SwarmRequests.Init req = new SwarmRequests.Init();
      req.listenAddr = "127.0.0.1:" + cluster;
      req.advertiseAddr = "127.0.0.1:" + cluster;
      UnavailableException e;
      try {
        e = assertThrows(UnavailableException.class, () -> d.init(req));
      } finally {
        taken.close();
      }
      assertTrue(e.getMessage().contains("127.0.0.1:" + raft) && e.getMessage().contains("--raft-port")
          && e.getMessage().contains("already in use"), e.getMessage());
      assertEquals("inactive", d.localNodeState(), "the node is unchanged");

      assertNotNull(d.init(req), "a retry once the port is free initialises the swarm");
      assertEquals("active", d.localNodeState());
    }
  }

  @Test
  void initAndJoinOnATakenClusterPortAnswerWhatToDoAndARetryWorks() throws Exception {
    ServerSocket taken = new ServerSocket();
    taken.bind(new InetSocketAddress("127.0.0.1", 0));
    int cluster = taken.getLocalPort();
    DaemonOptions opts = new DaemonOptions(dir.resolve("data"), dir.resolve("run"),
        List.of("tcp://127.0.0.1:" + FreePorts.pick()), "jswarm-cpt", "cptnode", cluster, FreePorts.pick(), "simulated",
        "runc", 10_000, Map.of(), List.of(), "jswarm_cpt", "172.31.251.0/24", ApiListeners.Security.NONE);
    try (Daemon d = new Daemon(opts, "cpt")) {
      d.start();
      SwarmRequests.Init req = new SwarmRequests.Init();
      req.advertiseAddr = "127.0.0.1";
      long t0 = System.nanoTime();
      UnavailableException e;
      SwarmRequests.Join join = new SwarmRequests.Join();
      join.advertiseAddr = "127.0.0.1";
      join.remoteAddrs = List.of("127.0.0.1:" + FreePorts.pick());
      join.joinToken = JoinToken.generate("0".repeat(RootCA.DIGEST_LENGTH), new SecureRandom()).toString();
      UnavailableException j;
      try {
        e = assertThrows(UnavailableException.class, () -> d.init(req));
        j = assertThrows(UnavailableException.class, () -> d.join(join));
      } finally {
        taken.close();
      }
      for (UnavailableException x : List.of(e, j)) {
        assertTrue(x.getMessage().contains("127.0.0.1:" + cluster) && x.getMessage().contains("--cluster-port")
            && x.getMessage().contains("--listen-addr") && x.getMessage().contains("already in use"), x.getMessage());
      }
      assertTrue(System.nanoTime() - t0 < ManagerRole.PORT_RELEASE.toNanos(),
          "a daemon that never listened on the port does not wait for its own listener to let go of it");
      assertEquals("inactive", d.localNodeState(), "the node is unchanged");

      assertNotNull(d.init(req), "a retry once the port is free initialises the swarm");
      assertEquals("active", d.localNodeState());
    }
  }
}
