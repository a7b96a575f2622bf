package io.jswarm.cli;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.raft.RaftConfig;
import io.jswarm.consensus.raft.RaftStatus;
import io.jswarm.consensus.raft.RaftStore;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm daemon}: the per-host daemon. For now it runs a single manager: a one-member Raft group with
 * the cluster store, bootstrapped on the first start and recovered from {@code <data-root>/raft} afterwards.
 */
@Command(name = "daemon", description = "Run the jswarm daemon (a manager with its Raft-replicated store).")
final class DaemonCommand implements Callable<Integer> {
  @Option(names = "--data-root", defaultValue = "/var/lib/jswarm", description = "Persistent state (default: ${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--exec-root", defaultValue = "/run/jswarm", description = "Runtime state (default: ${DEFAULT-VALUE}).")
  Path execRoot;

  @Option(names = "--raft-addr", defaultValue = "127.0.0.1:2378",
      description = "host:port of this manager's Raft listener (default: ${DEFAULT-VALUE}).")
  String raftAddr;

  @Option(names = "--node-name", description = "Hostname this node reports (default: the machine's hostname).")
  String nodeName;

  @Option(names = "--snapshot-interval", defaultValue = "10000",
      description = "Log entries between Raft snapshots (default: ${DEFAULT-VALUE}).")
  long snapshotInterval;

  @Override
  public Integer call() throws Exception {
    checkAddress(raftAddr);
    Files.createDirectories(dataRoot);
    Files.createDirectories(execRoot);
    ManagerIdentity me = ManagerIdentity.loadOrCreate(dataRoot, raftAddr);
    RaftConfig cfg = RaftConfig.builder(me.id, raftAddr, dataRoot.resolve("raft"))
        .clusterId(me.clusterId)
        .peer(me.id, raftAddr)
        .snapshotEvery(snapshotInterval)
        .build();
    RaftStore rs = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        rs.close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e.getMessage());
      }
      stopped.countDown();
    }, "jswarm-shutdown"));
    ensureClusterObjects(rs.store(), me.id, nodeName == null ? InetAddress.getLocalHost().getHostName() : nodeName);
    RaftStatus s = rs.node().status();
    System.out.printf("jswarm daemon %s: manager %s, Raft %s on %s, term %d, applied index %d, data root %s%n",
        Main.version(), me.id, s.role(), raftAddr, s.term(), s.appliedIndex(), dataRoot);
    System.out.flush();
    stopped.await();
    return 0;
  }

  /** On first start, writes the cluster object and this node into the store. */
  private static void ensureClusterObjects(MemoryStore store, String nodeId, String hostname) {
    store.view(tx -> null); // a linearizable read: returns once a leader serves this manager
    store.update(tx -> {
      if (tx.cluster().count() == 0) {
        Swarm swarm = new Swarm();
        swarm.spec = new Swarm.Spec();
        swarm.spec.name = "default";
        tx.cluster().create(swarm);
      }
      if (tx.nodes().get(nodeId) == null) {
        Node n = new Node();
        n.id = nodeId;
        n.spec = new Node.Spec();
        n.spec.role = "manager";
        n.spec.availability = "active";
        n.description = new Node.Description();
        n.description.hostname = hostname;
        n.status = new Node.Status();
        n.status.state = "ready";
        tx.nodes().create(n);
      }
      return null;
    });
  }

  static void checkAddress(String addr) {
    int colon = addr.lastIndexOf(':');
    boolean ok = colon > 0;
    if (ok) {
      try {
        int port = Integer.parseInt(addr.substring(colon + 1));
        ok = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new DaemonCommand()),
          "--raft-addr must be HOST:PORT with a port in 1-65535, got \"" + addr + "\"");
    }
  }
}
