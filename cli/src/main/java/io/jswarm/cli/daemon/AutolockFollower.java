package io.jswarm.cli.daemon;

import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.consensus.crypto.UnlockKey;
import io.jswarm.consensus.store.MemoryStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a manager's key files in step with the cluster's autolock setting ({@link NodeKeys#follow}): when a
 * manager turns autolock on, rotates the unlock key or turns autolock off, the cluster object changes in the
 * store and every manager re-seals its data key and node key under the new key-encryption key. Checks every
 * {@link #PERIOD_MS} ms, and at once when the local API changed the setting ({@link #followNow}). The same check
 * hands the cluster's spec to {@code alsoFollow} (the election tick this manager saves, {@link RaftTiming#follow}).
 */
final class AutolockFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutolockFollower.class);
  static final long PERIOD_MS = 1000;

  private final MemoryStore store;
  private final NodeKeys keys;
  private final java.util.function.Consumer<Swarm.Spec> alsoFollow;
  private final Thread thread;
  private volatile boolean closed;

  AutolockFollower(MemoryStore store, NodeKeys keys, java.util.function.Consumer<Swarm.Spec> alsoFollow) {
    this.store = store;
    this.keys = keys;
    this.alsoFollow = alsoFollow;
    this.thread = new Thread(this::run, "jswarm-autolock");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Re-seals now if the cluster's setting differs from the files (from this manager's applied state). */
  synchronized void followNow() {
    List<Swarm> all = store.viewStale(tx -> tx.cluster().all());
    if (all.isEmpty()) {
      return; // a joining manager that has not caught up yet
    }
    Swarm s = all.get(0);
    alsoFollow.accept(s.spec);
    boolean autolock = s.spec != null && s.spec.encryptionConfig != null
        && Boolean.TRUE.equals(s.spec.encryptionConfig.autoLockManagers) && s.unlockKey != null;
    AesGcmKey target = autolock ? UnlockKey.parse(s.unlockKey) : null;
    boolean wasStored = keys.kekStored();
    try {
      keys.follow(target);
    } catch (Exception e) {
      LOG.warn("could not re-seal this manager's keys for the cluster's autolock setting (will retry): {}",
          e.toString());
      return;
    }
    if (wasStored != keys.kekStored()) {
      LOG.info(autolock ? "autolock on: this manager's keys are sealed with the unlock key; it will start locked"
          : "autolock off: this manager's key-encryption key is stored in the data root again");
    }
  }

  private void run() {
    while (!closed) {
      try {
        followNow();
      } catch (RuntimeException e) {
        LOG.debug("autolock check failed: {}", e.toString());
      }
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
