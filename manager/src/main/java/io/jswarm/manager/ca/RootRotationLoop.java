package io.jswarm.manager.ca;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import io.jswarm.manager.loop.WatchLoop;
import java.security.SecureRandom;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-only loop that ends a root rotation ({@link RootRotation#finishIfDone}) once every node reports a
 * certificate of the new root; it wakes on node and cluster changes, and at least every {@link #RETRY_MS}.
 */
public final class RootRotationLoop {
  private static final Logger LOG = LoggerFactory.getLogger(RootRotationLoop.class);
  static final long RETRY_MS = 2000;

  private final MemoryStore store;
  private final SecureRandom random = new SecureRandom();
  private final WatchLoop loop;

  public RootRotationLoop(MemoryStore store) {
    this.store = store;
    this.loop = new WatchLoop("jswarm-root-rotation", store, e -> e.isIn(Tables.NODES) || e.isIn(Tables.CLUSTER),
        RETRY_MS, this::reconcile);
  }

  /**
   * One pass: ends the rotation when it is done. The nodes are read only while a rotation runs: the loop wakes on
   * every node change, and copying every node row each time (1,000 rows per join, status change or heartbeat
   * failure with 1,000 nodes) was the leader's largest source of garbage in the 1,000-node benchmark.
   */
  public void reconcile() {
    record View(Swarm cluster, List<Node> nodes) {}
    View v = store.viewStale(tx -> {
      Swarm cluster = tx.cluster().byName(Swarm.DEFAULT_NAME);
      boolean rotating = cluster != null && cluster.rootCA != null && cluster.rootCA.rotating();
      return new View(cluster, rotating ? tx.nodes().all() : null);
    });
    if (v.nodes == null) {
      return;
    }
    long renewed = RootRotation.renewed(v.cluster, v.nodes);
    if (renewed < v.nodes.size()) {
      LOG.debug("root rotation: {} of {} nodes hold a certificate of the new root", renewed, v.nodes.size());
      return;
    }
    try {
      boolean done = store.update(tx -> {
        Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
        if (s == null || !RootRotation.finishIfDone(s, tx.nodes().all(), random)) {
          return false;
        }
        tx.cluster().update(s);
        return true;
      });
      if (done) {
        LOG.info("root rotation done: every node holds a certificate of the new root, which is the root now");
      }
    } catch (ConflictException e) {
      LOG.debug("root rotation: the cluster changed meanwhile, retrying");
    }
  }

  public void start() {
    loop.start();
  }

  public void stop() {
    loop.stop();
  }
}
