package io.jswarm.cli;

import io.jswarm.cli.daemon.NodeKeys;
import io.jswarm.cli.daemon.NodeState;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.consensus.raft.RaftStatus;
import io.jswarm.consensus.raft.RaftStatusQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jswarm raft ...}: inspect the Raft group of the managers. */
@Command(name = "raft", description = "Inspect the managers' Raft group.", subcommands = RaftCommand.Status.class)
final class RaftCommand {
  @Command(name = "status", description = "Show a running manager's Raft status (role, leader, term, indexes, peers).")
  static final class Status implements Callable<Integer> {
    @Option(names = "--data-root", defaultValue = "/var/lib/jswarm",
        description = "Data root of the local daemon to ask (default: ${DEFAULT-VALUE}).")
    Path dataRoot;

    @Option(names = "--timeout", defaultValue = "5", description = "Seconds to wait for an answer.")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      NodeState me = NodeState.load(dataRoot);
      if (me == null || !me.isManager()) {
        System.err.println("Error: the daemon with data root " + dataRoot + " is not a swarm manager"
            + (me == null ? " (it is in no swarm: run 'jswarm swarm init' or 'jswarm swarm join')" : ""));
        return 1;
      }
      NodeKeys keys = NodeKeys.load(dataRoot, dataRoot.resolve("certificates"), new java.security.SecureRandom());
      if (keys.locked()) {
        System.err.println("Error: the manager with data root " + dataRoot + " is autolocked: its node key is sealed "
            + "with the unlock key, so this command cannot present its certificate; use 'jswarm node ls' instead");
        return 1;
      }
      NodeCredentials creds = NodeCredentials.load(dataRoot.resolve("certificates"), keys);
      RaftStatus s;
      try {
        s = RaftStatusQuery.query(me.nodeId, me.raftAddr(), me.clusterId, Duration.ofSeconds(timeoutSeconds),
            TlsContexts.keyManager(creds), TlsContexts.managerTrustManager(creds));
      } catch (Exception e) {
        System.err.println("Error: manager " + me.nodeId + " does not answer on " + me.raftAddr() + " ("
            + e.getMessage() + "); is 'jswarm daemon --data-root " + dataRoot + "' running?");
        return 1;
      }
      System.out.printf("Manager:        %s%n", s.id());
      System.out.printf("Address:        %s%n", me.raftAddr());
      System.out.printf("Role:           %s%n", s.role());
      System.out.printf("Leader:         %s%n", s.leader() == null ? "(none)" : s.leader());
      System.out.printf("Term:           %d%n", s.term());
      System.out.printf("Commit index:   %d%n", s.commitIndex());
      System.out.printf("Applied index:  %d%n", s.appliedIndex());
      System.out.printf("Snapshot index: %d%n", s.snapshotIndex());
      System.out.printf("Managers:       %d%n", s.peers().size());
      s.peers().forEach((id, addr) -> System.out.printf("  %s  %s%s%n", id, addr, id.equals(s.leader()) ? "  (leader)" : ""));
      return 0;
    }
  }
}
