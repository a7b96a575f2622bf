package io.jswarm.manager.rebalance;

import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Service;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import io.jswarm.manager.controlapi.Rebalance;
import io.jswarm.manager.loop.WatchLoop;
import io.jswarm.scheduler.NodeInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-only loop behind {@code --rebalance-on-join} ({@code TaskTemplate.Placement.RebalanceOnJoin}, a jswarm
 * extension): when a node starts taking tasks — it joined and is ready, came back from down, or was made active
 * again after drain or pause — every replicated service that opted in is rebalanced as by
 * {@code POST /services/{id}/rebalance} ({@link Rebalance#run}: the tasks above each node's goal are marked and
 * the updater moves them start-first with the service's update config).
 *
 * <p>The first pass after this manager became leader only learns which nodes take tasks (a new leader does not
 * rebalance everything). A service being updated or rolled back waits: it is rebalanced once that is over (the
 * loop retries every {@link #RETRY_MS}).
 */
public final class RebalanceOnJoin {
  private static final Logger LOG = LoggerFactory.getLogger(RebalanceOnJoin.class);
  /** How long to wait between passes when nothing changes (a service waiting for its update is retried then). */
  static final long RETRY_MS = 2000;

  private final MemoryStore store;
  private final WatchLoop loop;
  /** Nodes that took tasks at the last pass; null before the first pass of this term. */
  private Set<String> taking;
  /** Services to rebalance once their update is over (ids). */
  private final Set<String> waiting = new LinkedHashSet<>();

  public RebalanceOnJoin(MemoryStore store) {
    this.store = store;
    this.loop = new WatchLoop("jswarm-rebalance-on-join", store,
        e -> e.isIn(Tables.NODES) || e.isIn(Tables.SERVICES), RETRY_MS, this::reconcile);
  }

  /** One pass: notices nodes that started taking tasks and rebalances the services that opted in. */
  public synchronized void reconcile() {
    record View(Set<String> taking, List<String> optedIn) {}
    // rows looked at, not copied: this pass runs on every node change and every 2 s, with every node row
    View v = store.viewStale(tx -> {
      Set<String> nodes = new HashSet<>();
      tx.nodes().scanAll(n -> {
        if (NodeInfo.takesNewTasks(n)) {
          nodes.add(n.id);
        }
      });
      List<String> opted = new ArrayList<>();
      tx.services().scanAll(s -> {
        if (optedIn(s)) {
          opted.add(s.id);
        }
      });
      return new View(nodes, opted);
    });
    if (taking == null) {
      taking = v.taking;
      return;
    }
    Set<String> joined = new HashSet<>(v.taking);
    joined.removeAll(taking);
    taking = v.taking;
    if (!joined.isEmpty() && !v.optedIn.isEmpty()) {
      LOG.info("node(s) {} take tasks now: rebalancing {} service(s) with rebalance-on-join", joined,
          v.optedIn.size());
      waiting.addAll(v.optedIn);
    }
    if (waiting.isEmpty()) {
      return;
    }
    // what is done leaves the waiting list only once the batch committed; a failed pass is retried whole
    Set<String> done = store.update(tx -> {
      Set<String> out = new HashSet<>();
      for (String id : waiting) {
        Service s = tx.services().get(id);
        if (s == null || !optedIn(s)) {
          out.add(id);
        } else if (!Rebalance.updating(s)) {
          Rebalance.Answer a = Rebalance.run(tx, s);
          out.add(id);
          LOG.info("rebalance on join of {}: {} task(s) move {}", s.spec.name, a.moves, a.fromNodes);
        }
      }
      return out;
    });
    waiting.removeAll(done);
  }

  private static boolean optedIn(Service s) {
    return s.spec != null && s.spec.taskTemplate != null && s.spec.mode != null && s.spec.mode.replicated != null
        && Placement.rebalanceOnJoin(s.spec.taskTemplate.placement);
  }

  public synchronized void start() {
    taking = null; // a new term learns the nodes again
    loop.start();
  }

  public void stop() {
    loop.stop();
  }
}
