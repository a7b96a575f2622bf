package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.limits.ListenerLimits;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.Tables;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Raft port follows the node's listener rule ({@link ListenerLimits}, as the API and cluster ports do): one peer
 * address holds at most {@code maxConnectionsPerPeer} connections; more are closed as they are accepted, and the
 * member keeps serving.
 */
class RaftPortLimitsTest {
  @Test
  void connectionsPastThePerPeerCapAreClosedAtOnce() throws Exception {
    Path dir = Files.createTempDirectory("raft-limits");
    try {
      String addr = "127.0.0.1:" + MiniCluster.freePort();
      RaftConfig cfg = RaftConfig.builder("m1", addr, dir.resolve("m1")).peer("m1", addr)
          .listenerLimits(new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(300), 3)).build();
      try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
        int port = Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
        List<Socket> held = new ArrayList<>();
        try {
          for (int i = 0; i < 3; i++) {
            held.add(open(port));
          }
          for (Socket kept : held) {
            assertOpen(kept);
          }
          for (int i = 0; i < 2; i++) {
            try (Socket refused = open(port)) {
              refused.setSoTimeout(10_000);
              assertEquals(-1, readOrReset(refused), "a connection past the cap is closed by the server");
            }
          }
          held.remove(0).close(); // one ends: a new one fits again
          Thread.sleep(200);
          held.add(open(port));
          assertOpen(held.get(held.size() - 1));
          createSecret(s.store(), "still-serving");
          assertEquals(1, s.store().count(Tables.SECRETS));
        } finally {
          for (Socket k : held) {
            k.close();
          }
        }
      }
    } finally {
      MiniCluster.deleteTree(dir);
    }
  }

  private static Socket open(int port) throws IOException {
    Socket k = new Socket("127.0.0.1", port);
    k.setSoTimeout(500);
    return k;
  }

  /** Within the cap the server keeps the connection: it sends its HTTP/2 settings or nothing, but does not close. */
  private static void assertOpen(Socket k) throws IOException {
    try {
      assertTrue(k.getInputStream().read() >= 0, "a connection within the cap stays open");
    } catch (SocketTimeoutException quiet) {
      // open, waiting for the client
    }
  }

  /** -1 at end of stream; a reset counts as closed too. */
  private static int readOrReset(Socket k) throws IOException {
    try {
      return k.getInputStream().read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
