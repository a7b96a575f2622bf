package io.jswarm.consensus.raft;

import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * An in-process cluster of N managers on loopback ports, each a {@link MemoryStore} on a {@link RaftNode} with
 * its own storage directory. Managers can be killed, restarted from their directory, added and removed, and
 * traffic between two of them can be blocked (Raft append-entries and votes are refused on receipt).
 */
public final class MiniCluster implements AutoCloseable {
  /** Blocked (receiver, sender) pairs; shared by all clusters of this JVM through Ratis' injection points. */
  private static final Set<String> BLOCKED = ConcurrentHashMap.newKeySet();

  static {
    CodeInjectionForTesting.Code refuse = (local, remote, args) -> {
      if (local != null && remote != null && BLOCKED.contains(local + "<-" + remote)) {
        throw new IllegalStateException("MiniCluster: traffic " + remote + " -> " + local + " is blocked");
      }
      return false;
    };
    CodeInjectionForTesting.put("RaftServerImpl.appendEntries", refuse);
    CodeInjectionForTesting.put("RaftServerImpl.requestVote", refuse);
  }

  /** One manager of the cluster. */
  public final class Manager {
    public final String id;
    public final String address;
    public final Path dir;
    private volatile MemoryStore store;
    private volatile RaftNode node;
    private volatile RaftStore raftStore;

    Manager(String id, String address, Path dir) {
      this.id = id;
      this.address = address;
      this.dir = dir;
    }

    public MemoryStore store() {
      return store;
    }

    public RaftNode node() {
      return node;
    }

    public boolean running() {
      return node != null;
    }

    void start(Map<String, String> initialPeers) throws IOException {
      RaftConfig.Builder b = RaftConfig.builder(id, address, dir).clusterId(clusterId).peers(initialPeers)
          .dataKey(dataKey);
      tweak.accept(b);
      RaftStore rs = RaftStore.start(b.build(), Clock.systemUTC(), IdGenerator.fromRandom(new Random()));
      raftStore = rs;
      store = rs.store();
      node = rs.node();
    }

    /** Stops this manager's Raft member (its storage stays). */
    public void kill() {
      RaftStore n = raftStore;
      node = null;
      raftStore = null;
      if (n != null) {
        try {
          n.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    /** Starts this manager again from its storage directory. */
    public void restart() throws IOException {
      if (running()) {
        throw new IllegalStateException(id + " is running");
      }
      start(Map.of());
    }

    /**
     * {@code --force-new-cluster} on this manager: stops it, keeps its last applied state and restarts it as the
     * only member of the group.
     */
    public void forceNewCluster() throws IOException {
      RaftStore n = raftStore;
      node = null;
      raftStore = null;
      n.closeForNewCluster();
      start(Map.of(id, address));
    }

    @Override
    public String toString() {
      return id;
    }
  }

  private final String clusterId;
  private final Path baseDir;
  private final Consumer<RaftConfig.Builder> tweak;
  private final Map<String, Manager> managers = new LinkedHashMap<>();
  /** Every manager encrypts with the cluster's one data key, as the daemons do. */
  private final io.jswarm.consensus.crypto.AesGcmKey dataKey =
      io.jswarm.consensus.crypto.AesGcmKey.generate(new java.security.SecureRandom());

  private MiniCluster(String clusterId, Path baseDir, Consumer<RaftConfig.Builder> tweak) {
    this.clusterId = clusterId;
    this.baseDir = baseDir;
    this.tweak = tweak;
  }

  /** Starts {@code n} managers m1..mN that bootstrap one group; returns once a leader is elected. */
  public static MiniCluster start(int n, Path baseDir, Consumer<RaftConfig.Builder> tweak) throws IOException {
    MiniCluster c = new MiniCluster("c" + Long.toHexString(System.nanoTime()), baseDir, tweak);
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      String id = "m" + i;
      Manager m = c.new Manager(id, "127.0.0.1:" + freePort(), baseDir.resolve(id));
      c.managers.put(id, m);
      peers.put(id, m.address);
    }
    try {
      for (Manager m : c.managers.values()) {
        m.start(peers);
      }
      c.awaitLeader(Duration.ofSeconds(30));
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Starts a new manager with an empty group and asks the leader to add it. */
  public Manager addManager() throws IOException {
    String id = "m" + (managers.size() + 1);
    Manager m = new Manager(id, "127.0.0.1:" + freePort(), baseDir.resolve(id));
    managers.put(id, m);
    m.start(Map.of());
    leader().node().addManager(id, m.address);
    return m;
  }

  public Manager get(String id) {
    return managers.get(id);
  }

  public Collection<Manager> all() {
    return managers.values();
  }

  public List<Manager> running() {
    return managers.values().stream().filter(Manager::running).toList();
  }

  /** The running manager that is leader now, waiting up to 30 s for one. */
  public Manager leader() {
    return awaitLeader(Duration.ofSeconds(30));
  }

  public Manager awaitLeader(Duration max) {
    return await(max, "a leader among " + running(), () -> {
      for (Manager m : running()) {
        try {
          if (m.node().isLeader() && m.node().status().role().equals("LEADER")) {
            return m;
          }
        } catch (RuntimeException e) {
          // member shutting down
        }
      }
      return null;
    });
  }

  /** A running manager that is not the leader. */
  public Manager follower() {
    Manager leader = leader();
    return running().stream().filter(m -> m != leader).findFirst().orElseThrow();
  }

  /** Refuses Raft traffic between {@code a} and {@code b}, both ways. */
  public void block(Manager a, Manager b) {
    BLOCKED.add(a.id + "<-" + b.id);
    BLOCKED.add(b.id + "<-" + a.id);
  }

  public void unblockAll() {
    BLOCKED.clear();
  }

  /** Waits until every running manager has applied the same index and holds the same tables. */
  public void awaitConverged(Duration max) {
    await(max, "all running managers to hold identical stores", () -> describe(), () -> {
      List<Manager> rs = running();
      long idx = rs.get(0).store().appliedIndex();
      String hash = rs.get(0).store().contentHash();
      for (Manager m : rs) {
        if (m.store().appliedIndex() != idx || !m.store().contentHash().equals(hash)) {
          return null;
        }
      }
      return Boolean.TRUE;
    });
  }

  /** Polls {@code probe} every 20 ms until it returns non-null. */
  public static <T> T await(Duration max, String what, Supplier<T> probe) {
    return await(max, what, () -> "", probe);
  }

  /** Like {@link #await(Duration, String, Supplier)}; {@code state} describes the situation on timeout. */
  public static <T> T await(Duration max, String what, Supplier<String> state, Supplier<T> probe) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + max.toMillis() + " ms waiting for " + what + state.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** One line per manager: applied index, row counts, hash and Raft status. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (Manager m : managers.values()) {
      b.append("\n  ").append(m.id);
      if (!m.running()) {
        b.append(" (stopped)");
        continue;
      }
      b.append(" applied=").append(m.store().appliedIndex())
          .append(" secrets=").append(m.store().count(io.jswarm.consensus.store.Tables.SECRETS))
          .append(" hash=").append(m.store().contentHash(), 0, 8)
          .append(" ").append(m.node().status());
    }
    return b.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Deletes a directory tree. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(walk.toList());
      java.util.Collections.reverse(paths);
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public void close() {
    unblockAll();
    for (Manager m : managers.values()) {
      try {
        m.kill();
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
  }
}
