package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.Tables;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.ratis.util.ExitUtils;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A Raft port taken by another process fails the start with an error naming the address, leaves the storage
 * unformatted (a retry on a free port works), and Ratis can never exit the JVM (before, its terminate path called
 * System.exit and this test JVM died).
 */
class RaftPortInUseTest {
  @Test
  void aTakenPortFailsTheStartAndAFreeOneWorksAfter() throws Exception {
    Path dir = Files.createTempDirectory("raft-port-taken");
    try {
      try (ServerSocket taken = new ServerSocket()) {
        taken.bind(new InetSocketAddress("127.0.0.1", 0));
        String addr = "127.0.0.1:" + taken.getLocalPort();
        RaftConfig cfg = RaftConfig.builder("m1", addr, dir.resolve("m1")).peer("m1", addr).build();
        RaftPortInUseException e = assertThrows(RaftPortInUseException.class,
            () -> RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure()));
        assertEquals(addr, e.address());
        assertTrue(e.getMessage().contains(addr) && e.getMessage().contains("already in use"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("m1")), "nothing formatted for a start that never bound");
      }
      String free = "127.0.0.1:" + MiniCluster.freePort();
      RaftConfig retry = RaftConfig.builder("m1", free, dir.resolve("m1")).peer("m1", free).build();
      try (RaftStore s = RaftStore.start(retry, Clock.systemUTC(), IdGenerator.secure())) {
        createSecret(s.store(), "after-retry");
        assertEquals(1, s.store().count(Tables.SECRETS));
      }
    } finally {
      MiniCluster.deleteTree(dir);
    }
  }

  @Test
  void ratisTerminateThrowsInsteadOfExitingTheJvm() throws Exception {
    RaftNode.checkAddressFree("127.0.0.1:" + MiniCluster.freePort()); // loads RaftNode, which disables the exit
    assertThrows(ExitUtils.ExitException.class,
        () -> ExitUtils.terminate(1, "a test of the terminate path", LoggerFactory.getLogger(RaftPortInUseTest.class)));
    ExitUtils.clear();
  }
}
