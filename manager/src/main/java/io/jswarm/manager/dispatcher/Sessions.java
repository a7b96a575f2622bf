package io.jswarm.manager.dispatcher;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sessions of one leadership term and each node's heartbeat deadline.
 *
 * <p>Threads: {@link #has}, {@link #count} and {@link #heartbeat} are called by request handlers; everything else
 * on the term's events thread. The by-node index is the events thread's alone.
 */
final class Sessions {
  private final Clock clock;
  /** Open sessions by id (read by handler threads; written on the events thread). */
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  /** The open session of each node; events thread only. */
  private final Map<String, Session> byNode = new HashMap<>();
  /** When each node is down unless it heartbeats again. */
  private final Map<String, Instant> deadlines = new ConcurrentHashMap<>();

  Sessions(Clock clock) {
    this.clock = clock;
  }

  boolean has(String sessionId, String nodeId) {
    Session s = byId.get(sessionId);
    return s != null && s.nodeId.equals(nodeId);
  }

  int count() {
    return byId.size();
  }

  /** Extends the node's deadline to now + {@code grace}. */
  void heartbeat(String nodeId, Duration grace) {
    deadlines.put(nodeId, clock.instant().plus(grace));
  }

  /** Gives node {@code nodeId} until {@code deadline} (leader start: the nodes that were ready). */
  void deadline(String nodeId, Instant deadline) {
    deadlines.put(nodeId, deadline);
  }

  /** Drops the node's deadline (the node was removed). */
  void forgetDeadline(String nodeId) {
    deadlines.remove(nodeId);
  }

  /**
   * Adds session {@code s} as its node's one session and starts its deadline; returns the node's former session
   * (no longer listed, not yet closed) or null.
   */
  Session add(Session s, Duration grace) {
    Session old = byNode.put(s.nodeId, s);
    if (old != null) {
      byId.remove(old.id);
    }
    byId.put(s.id, s);
    heartbeat(s.nodeId, grace);
    return old;
  }

  /** Forgets session {@code s} if it is still listed. */
  void remove(Session s) {
    byId.remove(s.id, s);
    byNode.remove(s.nodeId, s);
  }

  /** The node's open session, or null. */
  Session ofNode(String nodeId) {
    return byNode.get(nodeId);
  }

  /** Every node's open session, registered or not (events thread). */
  Collection<Session> all() {
    return byNode.values();
  }

  /** The sessions that got their full set (events thread). */
  List<Session> registered() {
    List<Session> out = new ArrayList<>(byNode.size());
    for (Session s : byNode.values()) {
      if (s.registered()) {
        out.add(s);
      }
    }
    return out;
  }

  /** Removes and returns the nodes whose deadline is before {@code now}. */
  List<String> expire(Instant now) {
    return expire(now, id -> false);
  }

  /**
   * Removes and returns the nodes whose deadline is before {@code now}, but for those {@code held} (they keep their
   * deadline and are looked at again next time).
   */
  List<String> expire(Instant now, java.util.function.Predicate<String> held) {
    List<String> expired = new ArrayList<>();
    for (Iterator<Map.Entry<String, Instant>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Instant> en = it.next();
      if (now.isAfter(en.getValue()) && !held.test(en.getKey()) && deadlines.remove(en.getKey(), en.getValue())) {
        expired.add(en.getKey());
      }
    }
    return expired;
  }

  /** Closes every stream (the term ends) and forgets the sessions. */
  void closeAll() {
    for (Session s : byId.values()) {
      s.sink.close();
    }
  }

  void clear() {
    byId.clear();
  }
}
