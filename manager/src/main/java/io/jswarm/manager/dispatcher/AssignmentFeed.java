package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Each node's assignments: the tasks whose {@code NodeID} is the node and whose observed state is at least
 * {@code assigned} ({@link #visibleNode}). A session starts with the complete set ({@link #full}); the task events
 * of one store batch are collected per session and sent as one incremental message at the batch's commit
 * ({@link #flush}). The agent's own status reports echoed back by the store are not sent again. Events thread only.
 */
final class AssignmentFeed {
  /** Upserts and removals for one session, collapsed within one store batch. */
  private static final class Changes {
    final Map<String, Task> upserts = new LinkedHashMap<>();
    final LinkedHashSet<String> removed = new LinkedHashSet<>();
  }

  /** A node's complete assignment set at store index {@code index}. */
  record Full(long index, Node node, List<Task> tasks) {}

  private final Sessions sessions;
  /** Changes of the store batch being read, per session; sent at the batch's commit event. */
  private final Map<Session, Changes> outgoing = new LinkedHashMap<>();

  AssignmentFeed(Sessions sessions) {
    this.sessions = sessions;
  }

  /** Node {@code nodeId}'s row and assignments as of {@code tx}. */
  static Full full(ReadTx tx, String nodeId) {
    List<Task> tasks = new ArrayList<>();
    for (Task t : tx.tasks().find(Tables.BY_NODE, nodeId)) {
      if (nodeId.equals(visibleNode(t))) {
        tasks.add(t);
      }
    }
    return new Full(tx.index(), tx.nodes().get(nodeId), tasks);
  }

  /** Takes in a task event of the batch being read. */
  void taskChanged(Event e) {
    boolean deleted = e.kind() == Event.Kind.DELETE;
    Task now = deleted ? null : (Task) e.object();
    Task before = deleted ? (Task) e.object() : (Task) e.old();
    String nowNode = visibleNode(now);
    String beforeNode = visibleNode(before);
    if (beforeNode != null && !beforeNode.equals(nowNode)) {
      Changes c = changesFor(beforeNode, e.index());
      if (c != null) {
        c.upserts.remove(before.id);
        c.removed.add(before.id);
      }
    }
    if (nowNode == null) {
      return;
    }
    // States after assigned are the agent's own reports: echoing them back changes nothing on the node.
    if (nowNode.equals(beforeNode) && now.status.state.number() > TaskState.ASSIGNED.number()
        && equalIgnoringStatus(before, now)) {
      return;
    }
    Changes c = changesFor(nowNode, e.index());
    if (c != null) {
      c.removed.remove(now.id);
      c.upserts.put(now.id, now);
    }
  }

  /** Sends the node's session its new row when the node's spec changed (not for its status). */
  void nodeChanged(Event e) {
    Node n = (Node) e.object();
    Session s = sessions.ofNode(n.id);
    Node old = (Node) e.old();
    if (s != null && s.registered() && e.index() > s.index
        && (old == null || !LeaderTerm.sameJson(old.spec, n.spec))) {
      s.send(DispatcherMessage.node(n));
    }
  }

  private Changes changesFor(String nodeId, long index) {
    Session s = sessions.ofNode(nodeId);
    if (s == null || s.index < 0 || index <= s.index) {
      return null; // no session, or its full set already has this change
    }
    return outgoing.computeIfAbsent(s, k -> new Changes());
  }

  /** Sends each session the changes collected since the last commit. */
  void flush() {
    for (Map.Entry<Session, Changes> en : outgoing.entrySet()) {
      Changes c = en.getValue();
      en.getKey().send(DispatcherMessage.incrementalAssignments(new ArrayList<>(c.upserts.values()),
          new ArrayList<>(c.removed)));
    }
    outgoing.clear();
  }

  /** Drops what was collected for a session that closed. */
  void forget(Session s) {
    outgoing.remove(s);
  }

  void clear() {
    outgoing.clear();
  }

  /** The node a task is assigned to as far as its agent is concerned (state at least assigned), or null. */
  static String visibleNode(Task t) {
    if (t == null || t.nodeId == null || t.nodeId.isEmpty() || t.status == null || t.status.state == null) {
      return null;
    }
    return t.status.state.number() >= TaskState.ASSIGNED.number() ? t.nodeId : null;
  }

  /** Same task apart from its version, timestamps and observed status. */
  static boolean equalIgnoringStatus(Task a, Task b) {
    return sameFieldsIgnoringStatus(a, b) || stableJson(a).equals(stableJson(b));
  }

  /** Task's fields other than version, update time and status, for {@link #sameFieldsIgnoringStatus}. */
  private static final Field[] STABLE_FIELDS = stableFields();

  private static Field[] stableFields() {
    List<Field> out = new ArrayList<>();
    for (Class<?> c = Task.class; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        String n = f.getName();
        if (!Modifier.isStatic(f.getModifiers()) && !n.equals("version") && !n.equals("updatedAt")
            && !n.equals("status")) {
          f.setAccessible(true);
          out.add(f);
        }
      }
    }
    return out.toArray(Field[]::new);
  }

  /**
   * True when every field but version, update time and status holds the very same object in both (stored rows never
   * change): what a status patch leaves of a task, found without encoding either. False says nothing.
   */
  static boolean sameFieldsIgnoringStatus(Task a, Task b) {
    try {
      for (Field f : STABLE_FIELDS) {
        if (f.get(a) != f.get(b)) {
          return false;
        }
      }
      return true;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The task's JSON without version, update time and status: encoded from a shallow copy with those fields cleared
   * ({@code t} may be a stored row, shared with other threads: it is never changed, not even for a moment).
   */
  private static String stableJson(Task t) {
    Task c = t.shallowCopy();
    c.version = null;
    c.updatedAt = null;
    c.status = null;
    return Json.toString(c);
  }
}
