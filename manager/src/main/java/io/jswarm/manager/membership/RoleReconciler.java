package io.jswarm.manager.membership;

import io.jswarm.api.types.Node;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import io.jswarm.manager.loop.WatchLoop;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-only loop that keeps the Raft group in line with the nodes' roles: a manager demoted to worker
 * ({@code node demote}, {@code node update --role worker}) or removed is taken out of the Raft group. Promotion
 * goes the other way round and is driven by the promoted node itself: it sees its new role in its session,
 * renews its certificate as a manager, starts its Raft member and asks to be added ({@code /raft/join}). The last
 * member is never removed.
 */
public final class RoleReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(RoleReconciler.class);
  /** How long to wait between passes when nothing changes (a failed removal is retried then). */
  static final long RETRY_MS = 2000;

  private final MemoryStore store;
  private final Supplier<Map<String, String>> raftPeers;
  private final Consumer<String> removeMember;
  private final WatchLoop loop;

  /**
   * @param raftPeers the current Raft configuration, id -> address
   * @param removeMember removes one member from the Raft group (blocking; throws when it cannot)
   */
  public RoleReconciler(MemoryStore store, Supplier<Map<String, String>> raftPeers, Consumer<String> removeMember) {
    this.store = store;
    this.raftPeers = raftPeers;
    this.removeMember = removeMember;
    this.loop = new WatchLoop("jswarm-role-reconciler", store, e -> e.isIn(Tables.NODES), RETRY_MS, this::reconcile);
  }

  /** Raft members that should not be: their node is a worker now or gone. Never all of them. */
  public List<String> membersToRemove() {
    Map<String, String> peers = raftPeers.get();
    List<String> out = store.viewStale(tx -> peers.keySet().stream().filter(id -> {
      Node n = tx.nodes().get(id);
      return n == null || (n.spec != null && "worker".equals(n.spec.role));
    }).sorted().toList());
    return out.size() >= peers.size() ? out.subList(0, Math.max(0, peers.size() - 1)) : out;
  }

  /** One pass: removes what {@link #membersToRemove} names, one at a time. */
  public void reconcile() {
    for (String id : membersToRemove()) {
      try {
        LOG.info("removing demoted manager {} from the Raft group", id);
        removeMember.accept(id);
      } catch (RuntimeException e) {
        LOG.warn("could not remove manager {} from the Raft group (will retry): {}", id, e.getMessage());
      }
    }
  }

  public void start() {
    loop.start();
  }

  public void stop() {
    loop.stop();
  }
}
