package io.jswarm.api.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections each peer holds open on one listener, capped at {@link ListenerLimits#maxConnectionsPerPeer}: a
 * listener asks {@link #open} when it accepts a connection (and closes it at once when refused) and calls
 * {@link #close} when an admitted connection ends. Thread-safe; one instance per listener.
 */
public final class PeerConnections {
  private final int max;
  private final ConcurrentHashMap<Object, AtomicInteger> open = new ConcurrentHashMap<>();

  public PeerConnections(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive, got " + max);
    }
    this.max = max;
  }

  /** Counts a new connection of {@code peer}; false (and not counted) when the peer already holds the maximum. */
  public boolean open(Object peer) {
    boolean[] admitted = {false};
    open.compute(peer, (k, c) -> {
      AtomicInteger n = c == null ? new AtomicInteger() : c;
      if (n.get() < max) {
        n.incrementAndGet();
        admitted[0] = true;
      }
      return n.get() == 0 ? null : n;
    });
    return admitted[0];
  }

  /** An admitted connection of {@code peer} ended. */
  public void close(Object peer) {
    open.computeIfPresent(peer, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
  }

  /** Connections {@code peer} holds now. */
  public int openBy(Object peer) {
    AtomicInteger c = open.get(peer);
    return c == null ? 0 : c.get();
  }

  public int max() {
    return max;
  }

  /** The sentence a listener logs when it refuses a connection. */
  public String refusal(Object peer) {
    return "refusing a connection from " + peer + ": it already holds " + max
        + " connections to this listener (the cap)";
  }
}
