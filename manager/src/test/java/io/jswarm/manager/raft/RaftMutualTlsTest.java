package io.jswarm.manager.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Secret;
import io.jswarm.consensus.raft.MiniCluster;
import io.jswarm.consensus.raft.RaftConfig;
import io.jswarm.consensus.raft.RaftStatusQuery;
import io.jswarm.consensus.raft.RaftStore;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raft between managers over mutual TLS with node certificates from the cluster root CA. */
class RaftMutualTlsTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final RootCA ca = RootCA.create("cluster1", CLOCK);
  private final List<RaftStore> started = new ArrayList<>();
  private final String clusterId = "c" + Long.toHexString(System.nanoTime());
  @TempDir
  Path dir;

  @AfterEach
  void stop() throws IOException {
    for (RaftStore s : started) {
      s.close();
    }
  }

  private static NodeCredentials creds(RootCA root, String id, String role) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(root.issue(pending.csrPem(), id, role, "cluster1", Duration.ofHours(1), CLOCK),
        root.certPem());
  }

  private RaftStore start(String id, Map<String, String> peers, NodeCredentials c) throws IOException {
    return start(id, peers, c, true);
  }

  /** Starts a member; {@code bootstrap} false starts it with no group, waiting to be added. */
  private RaftStore start(String id, Map<String, String> peers, NodeCredentials c, boolean bootstrap)
      throws IOException {
    RaftConfig cfg = RaftConfig.builder(id, peers.get(id), dir.resolve(id))
        .clusterId(clusterId)
        .peers(bootstrap ? peers : Map.of())
        .electionTimeoutMin(Duration.ofMillis(500))
        .writeTimeout(Duration.ofSeconds(20))
        .tls(TlsContexts.keyManager(c), TlsContexts.managerTrustManager(c))
        .build();
    RaftStore s = RaftStore.start(cfg, CLOCK, IdGenerator.fromRandom(new Random()));
    started.add(s);
    return s;
  }

  private static Map<String, String> peers(int n) throws IOException {
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        peers.put("m" + i, "127.0.0.1:" + s.getLocalPort());
      }
    }
    return peers;
  }

  private static RaftStore awaitLeader(List<RaftStore> among) {
    return MiniCluster.await(WAIT, "a leader among " + among.size() + " managers", () ->
        among.stream().filter(s -> s.node().isLeader()).findFirst().orElse(null));
  }

  private static Secret secret(String name) {
    Secret s = new Secret();
    s.spec = new Secret.Spec();
    s.spec.name = name;
    return s;
  }

  private static void write(MemoryStore store, String name) {
    store.update(tx -> tx.secrets().create(secret(name)));
  }

  private static void awaitSecrets(List<RaftStore> stores, int n) {
    MiniCluster.await(WAIT, n + " secrets on every manager", () ->
        stores.stream().allMatch(s -> s.store().count(Tables.SECRETS) == n) ? Boolean.TRUE : null);
  }

  @Test
  void managersOfOneRootElectALeaderReplicateWritesAndAdmitANewManager() throws IOException {
    Map<String, String> peers = peers(3);
    List<RaftStore> all = new ArrayList<>();
    for (String id : peers.keySet()) {
      all.add(start(id, peers, creds(ca, id, PeerIdentity.MANAGER_ROLE)));
    }
    RaftStore leader = awaitLeader(all);
    write(leader.store(), "through-the-leader");
    RaftStore follower = all.stream().filter(s -> s != leader).findFirst().orElseThrow();
    write(follower.store(), "forwarded-by-a-follower");
    awaitSecrets(all, 2);

    // a manager that joins later: its member starts with its certificate and no group, then the leader adds it
    String m4Addr = peers(1).get("m1");
    RaftStore m4 = start("m4", Map.of("m4", m4Addr), creds(ca, "m4", PeerIdentity.MANAGER_ROLE), false);
    leader.node().addManager("m4", m4Addr);
    all.add(m4);
    write(leader.store(), "after-m4");
    awaitSecrets(all, 3);

    // the Raft port answers a manager of this cluster that is a member, and nobody else: not a worker, not another
    // cluster's manager, and not a manager certificate of this cluster whose node is neither in the store nor in
    // the Raft configuration (a removed manager: RaftPeerPolicy)
    NodeCredentials admin = creds(ca, "m2", PeerIdentity.MANAGER_ROLE);
    var status = RaftStatusQuery.query("m1", peers.get("m1"), clusterId, Duration.ofSeconds(5),
        TlsContexts.keyManager(admin), TlsContexts.managerTrustManager(admin));
    assertEquals(4, status.peers().size());
    NodeCredentials removed = creds(ca, "m9", PeerIdentity.MANAGER_ROLE);
    IOException refused = assertThrows(IOException.class, () -> RaftStatusQuery.query("m1", peers.get("m1"),
        clusterId, Duration.ofSeconds(3), TlsContexts.keyManager(removed), TlsContexts.managerTrustManager(removed)));
    assertTrue(refused.getMessage().contains("node m9 is not part of this swarm"), refused.getMessage());
    NodeCredentials worker = creds(ca, "w1", PeerIdentity.WORKER_ROLE);
    assertThrows(IOException.class, () -> RaftStatusQuery.query("m1", peers.get("m1"), clusterId,
        Duration.ofSeconds(3), TlsContexts.keyManager(worker), TlsContexts.trustManager(worker)));
    NodeCredentials foreign = creds(RootCA.create("cluster1", CLOCK), "m9", PeerIdentity.MANAGER_ROLE);
    assertThrows(IOException.class, () -> RaftStatusQuery.query("m1", peers.get("m1"), clusterId,
        Duration.ofSeconds(3), TlsContexts.keyManager(foreign), TlsContexts.managerTrustManager(foreign)));
    // all of it over the JDK's TLS: Netty's BoringSSL (a 2 MB native library per daemon) is never loaded
    String maps = java.nio.file.Files.readString(Path.of("/proc/self/maps"));
    assertFalse(maps.contains("netty_tcnative"), "BoringSSL is mapped: Raft's gRPC did not take the JDK's TLS");
  }

  @Test
  void aManagerWithACertificateFromAnotherRootGetsNothing() throws IOException {
    Map<String, String> peers = peers(3);
    RaftStore m1 = start("m1", peers, creds(ca, "m1", PeerIdentity.MANAGER_ROLE));
    RaftStore m2 = start("m2", peers, creds(ca, "m2", PeerIdentity.MANAGER_ROLE));
    RaftStore intruder = start("m3", peers, creds(RootCA.create("cluster1", CLOCK), "m3", PeerIdentity.MANAGER_ROLE));
    List<RaftStore> trusted = List.of(m1, m2);
    RaftStore leader = awaitLeader(trusted);
    for (int i = 0; i < 3; i++) {
      write(leader.store(), "s" + i);
    }
    awaitSecrets(trusted, 3);
    // The leader keeps sending m3 appends and heartbeats; none gets through the handshake. Give it a few
    // election timeouts' worth of them, then check m3 has nothing and never led.
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      assertEquals(0, intruder.store().count(Tables.SECRETS));
      assertEquals(0, intruder.store().appliedIndex());
      assertFalse(intruder.node().isLeader());
      MiniCluster.await(Duration.ofMillis(200), "nothing", () -> m1.store().appliedIndex() > 0 ? Boolean.TRUE : null);
    }
    assertEquals(0, intruder.store().count(Tables.SECRETS));
    var status = leader.node().status();
    assertEquals(3, status.peers().size());
  }
}
