package io.jswarm.cli.daemon;

import io.jswarm.consensus.raft.RaftNode;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the leader-only control loops exactly while this manager leads. Polls the Raft role (every
 * {@link #POLL_MS} ms) rather than trusting a single notification, so that a missed or reordered Ratis event can
 * never leave two sets of loops running or none. Start and stop callbacks run on the watcher thread, in order.
 */
final class LeadershipWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipWatcher.class);
  static final long POLL_MS = 100;

  interface Loops {
    /** This manager became leader; the store has applied everything committed before. */
    void startLeading() throws Exception;

    void stopLeading();
  }

  private final BooleanSupplier isLeader;
  private final Runnable barrier;
  private final Loops loops;
  private final Thread thread;
  private volatile boolean closed;
  private boolean leading;

  LeadershipWatcher(RaftNode node, Runnable readBarrier, Loops loops) {
    this(node::isLeader, readBarrier, loops);
  }

  LeadershipWatcher(BooleanSupplier isLeader, Runnable readBarrier, Loops loops) {
    this.isLeader = isLeader;
    this.barrier = readBarrier;
    this.loops = loops;
    this.thread = new Thread(this::run, "jswarm-leadership");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      boolean now;
      try {
        now = isLeader.getAsBoolean();
      } catch (RuntimeException e) {
        now = false;
      }
      try {
        if (now && !leading) {
          barrier.run(); // the new leader's store must hold every committed change before loops read it
          LOG.info("became leader: starting dispatcher, orchestrators and scheduler");
          leading = true;
          loops.startLeading();
        } else if (!now && leading) {
          LOG.info("no longer leader: stopping leader loops");
          leading = false;
          loops.stopLeading();
        }
      } catch (Exception e) {
        LOG.warn("leadership change handling failed (will retry): {}", e.toString());
        if (leading) {
          leading = false;
          loops.stopLeading();
        }
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        break;
      }
    }
    if (leading) {
      leading = false;
      loops.stopLeading();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
