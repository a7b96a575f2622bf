package io.jswarm.consensus.raft;

import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * A manager's replicated store: a {@link MemoryStore} whose proposer is this manager's {@link RaftNode}. The
 * two refer to each other (the node applies into the store, the store proposes through the node), so they
 * are wired here.
 */
public final class RaftStore implements AutoCloseable {
  private final MemoryStore store;
  private final RaftNode node;

  private RaftStore(MemoryStore store, RaftNode node) {
    this.store = store;
    this.node = node;
  }

  /**
   * Starts the Raft member and its store; see {@link RaftNode#start}. With TLS, the Raft port admits a peer only
   * while this store (or, before it has the peer's row, the Raft configuration) holds it as a manager.
   */
  public static RaftStore start(RaftConfig cfg, Clock clock, IdGenerator ids) throws IOException {
    return start(cfg, clock, ids, (nanos, ok) -> {});
  }

  /**
   * As above; {@code commits} is told of every proposal this manager made once it completes: how long it took
   * from proposal to local apply, and whether it was committed (metrics).
   */
  public static RaftStore start(RaftConfig cfg, Clock clock, IdGenerator ids, CommitObserver commits)
      throws IOException {
    Deferred deferred = new Deferred(commits);
    MemoryStore store = new MemoryStore(deferred, clock, ids);
    deferred.node = RaftNode.start(cfg, store, id -> store.viewStale(tx -> tx.nodes().read(id,
        n -> n == null ? null : n.spec == null || n.spec.role == null ? "" : n.spec.role)));
    return new RaftStore(store, deferred.node);
  }

  public MemoryStore store() {
    return store;
  }

  public RaftNode node() {
    return node;
  }

  /**
   * Stops this manager's member and store, leaving Raft storage that restarts as a single-member group at the
   * last applied state ({@link RaftNode#closeForNewCluster}).
   */
  public java.nio.file.Path closeForNewCluster() throws IOException {
    try {
      return node.closeForNewCluster();
    } finally {
      store.close();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      node.close();
    } finally {
      store.close();
    }
  }

  /** Told of each completed proposal (see {@link #start(RaftConfig, Clock, IdGenerator, CommitObserver)}). */
  @FunctionalInterface
  public interface CommitObserver {
    void completed(long nanos, boolean committed);
  }

  /** Forwards to the node once it exists; nothing is proposed before {@link #start} returns. */
  private static final class Deferred implements Proposer {
    private volatile RaftNode node;
    private final CommitObserver commits;

    Deferred(CommitObserver commits) {
      this.commits = commits;
    }

    @Override
    public CompletableFuture<ApplyResult> propose(byte[] batch) {
      long start = System.nanoTime();
      CompletableFuture<ApplyResult> f = node.propose(batch);
      f.whenComplete((r, e) -> commits.completed(System.nanoTime() - start, e == null));
      return f;
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
      return node.readBarrier();
    }
  }
}
