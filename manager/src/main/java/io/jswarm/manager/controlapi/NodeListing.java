package io.jswarm.manager.controlapi;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API JSON of {@code node ls}, row by row, with each worker's encoding kept from one listing to the next. A
 * stored row is immutable (an apply replaces it by a new object), so an encoding made from one row object stays
 * right as long as the store holds that same object: a listing encodes only the rows changed since the last one
 * (with 1,000 nodes, encoding every row was most of a {@code node ls} while a large service was created). A
 * manager's row is encoded each time: its {@code ManagerStatus} comes from the Raft view of the moment.
 */
final class NodeListing {
  /** A worker row (by identity) and its API JSON, {@code ManagerStatus} left out. */
  private record Encoded(Node row, byte[] json) {}

  private final ManagerGate gate;
  private final ConcurrentHashMap<String, Encoded> workers = new ConcurrentHashMap<>();

  NodeListing(ManagerGate gate) {
    this.gate = gate;
  }

  /**
   * The API JSON of stored row {@code n} as {@code node ls} answers it in {@code view}. {@code n} is read, never
   * changed (the same contract as {@code TableReader.scan}).
   */
  byte[] json(Node n, SwarmLifecycle.ClusterView view) {
    boolean worker = view != null && view.managerRaftAddrs() != null && !view.managerRaftAddrs().containsKey(n.id);
    if (!worker) {
      return Json.toApiBytes(gate.withManagerStatus(n.shallowCopy(), view));
    }
    Encoded e = workers.get(n.id);
    if (e != null && e.row == n) {
      return e.json;
    }
    Node c = n.shallowCopy();
    c.managerStatus = null; // what withManagerStatus answers for a node that is not a Raft member
    byte[] json = Json.toApiBytes(c);
    workers.put(n.id, new Encoded(n, json));
    return json;
  }

  /** Forgets the encodings of rows that are gone, after a listing of every node saw {@code ids}. */
  void keepOnly(Set<String> ids) {
    workers.keySet().retainAll(ids);
  }

  /** The JSON array of the given encodings (as {@code Json.toApiBytes} of the list writes it: no spaces). */
  static byte[] array(List<byte[]> rows) {
    int size = 2 + Math.max(0, rows.size() - 1);
    for (byte[] r : rows) {
      size += r.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < rows.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(rows.get(i));
    }
    out.write(']');
    return out.toByteArray();
  }
}
