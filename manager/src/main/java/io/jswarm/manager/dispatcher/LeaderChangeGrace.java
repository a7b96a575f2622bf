package io.jswarm.manager.dispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * How long a new leader waits for the nodes that were ready when its term began (their agents lost their session with
 * the old leader and must find this one) before it marks them down. Events thread only.
 *
 * <ul>
 *   <li>Every such node first gets the usual grace plus {@link #extra}: time for the agents to notice, back off
 *       ({@code ReconnectBackoff}) and find the new leader.</li>
 *   <li>Past that deadline, a node that has not come back is still not marked down <b>while the others keep coming
 *       back</b>: as long as one of them opened its session within the last {@code quiet} (the usual grace, 3
 *       heartbeat periods), the leader is still working through the reconnects (one TLS handshake and one
 *       registration after another, on a loaded machine), and a node not back yet is more likely queued than dead.
 *       A fixed grace could not know the rate: at 1,000 nodes the sessions came back in 21-48 s on one day and in
 *       51-94 s on another, and the nodes of that tail were marked down (103 and 423 of 1,000 in two runs).</li>
 *   <li>Bounded: once no node came back for {@code quiet}, or at the latest {@link #MAX_HOLD} after the term began,
 *       the nodes still missing are marked down. A node that died with the old leader is marked down at most
 *       {@code quiet} after the last other node came back, and never later than {@link #MAX_HOLD}.</li>
 * </ul>
 *
 * <p>swarmkit gives the nodes of a new leader twice the usual grace ({@code gracePeriodMultiplierUnknown}); its agents
 * do not need to reach the leader itself (any manager proxies the dispatcher), so their reconnects are cheaper.
 */
final class LeaderChangeGrace {
  /** Added to the grace ready nodes get when a leader starts: time for agents to find the new leader. */
  static final Duration EXTRA = Duration.ofSeconds(10);
  /**
   * And this much more per ready node: the new leader opens their sessions one after the other (a TLS handshake,
   * the node's assignments and records each). At 1,000 nodes, every session was back 25-37 s after a leader kill
   * (load 20-30), and the nodes of that tail were marked down with 25 s of grace (21 of them in one run).
   */
  static final Duration PER_NODE = Duration.ofMillis(20);
  /** Most extra grace at a leader change, however many nodes. */
  static final Duration MAX_EXTRA = Duration.ofSeconds(60);
  /** Longest a node that was ready at the term's start may stay unmarked while the others keep coming back. */
  static final Duration MAX_HOLD = Duration.ofMinutes(3);

  private final Set<String> missing;
  private final Instant start;
  private final Instant deadline;
  private final Duration quiet;
  /** When the last of the nodes that were ready came back, or null before the first. */
  private Instant lastReturn;

  /**
   * @param ready the nodes ready when the term began
   * @param start when it began
   * @param grace the usual grace (3 heartbeat periods): the base of every deadline, and how long without any node
   *     coming back ends the hold
   */
  LeaderChangeGrace(Collection<String> ready, Instant start, Duration grace) {
    this.missing = new HashSet<>(ready);
    this.start = start;
    this.quiet = grace;
    this.deadline = start.plus(grace).plus(extra(ready.size()));
  }

  /** The extra grace ready nodes get when a leader starts with {@code readyNodes} of them. */
  static Duration extra(int readyNodes) {
    Duration d = EXTRA.plus(PER_NODE.multipliedBy(readyNodes));
    return d.compareTo(MAX_EXTRA) > 0 ? MAX_EXTRA : d;
  }

  /** The deadline of every node ready at the start, before any hold. */
  Instant deadline() {
    return deadline;
  }

  /** Node {@code nodeId} opened a session at {@code now}; true when it was the last one missing. */
  boolean returned(String nodeId, Instant now) {
    if (missing.remove(nodeId)) {
      lastReturn = now;
      return missing.isEmpty();
    }
    return false;
  }

  /** When the term began. */
  Instant start() {
    return start;
  }

  /** The node was removed from the swarm: it is no longer waited for. */
  void forget(String nodeId) {
    missing.remove(nodeId);
  }

  /** Nodes ready at the start that have not come back yet. */
  int missing() {
    return missing.size();
  }

  /**
   * Whether node {@code nodeId}, past its deadline at {@code now}, is still not to be marked down: it was ready at
   * the start, has not come back, another came back within {@code quiet}, and the term is younger than
   * {@link #MAX_HOLD}.
   */
  boolean holds(String nodeId, Instant now) {
    return lastReturn != null && missing.contains(nodeId) && now.isBefore(lastReturn.plus(quiet))
        && now.isBefore(start.plus(MAX_HOLD));
  }
}
