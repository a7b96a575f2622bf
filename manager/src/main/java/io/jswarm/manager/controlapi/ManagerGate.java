package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Version;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpRequest;

/** What every manager-only route needs first: the store, or dockerd's 503 when this node cannot serve it. */
final class ManagerGate {
  private final SwarmLifecycle lifecycle;

  ManagerGate(SwarmLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  SwarmLifecycle lifecycle() {
    return lifecycle;
  }

  /** The cluster store; 503 with dockerd's text on a node in no swarm or on a worker. */
  MemoryStore store() {
    String state = lifecycle.localNodeState();
    String id = lifecycle.nodeId();
    if ("inactive".equals(state) || id == null || id.isEmpty()) {
      throw new UnavailableException(SwarmLifecycle.NOT_IN_SWARM);
    }
    return lifecycle.managerStore();
  }

  /** The Raft view, or null when it cannot be had right now (ManagerStatus is then left as stored). */
  SwarmLifecycle.ClusterView view() {
    try {
      return lifecycle.clusterView();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Sets {@code ManagerStatus} from the Raft view: present only on Raft members. Its {@code Addr} is where workers
   * join (the docker CLI prints it in {@code swarm join-token}): this node's cluster address, else the stored one,
   * else the member's Raft address.
   */
  Node withManagerStatus(Node n, SwarmLifecycle.ClusterView view) {
    if (view == null || view.managerRaftAddrs() == null) {
      return n;
    }
    String raftAddr = view.managerRaftAddrs().get(n.id);
    if (raftAddr == null) {
      n.managerStatus = null;
      return n;
    }
    String stored = n.managerStatus == null ? null : n.managerStatus.addr;
    String own = n.id.equals(lifecycle.nodeId()) ? lifecycle.nodeAddr() : null;
    Node.ManagerStatus m = new Node.ManagerStatus();
    m.leader = n.id.equals(view.leaderId());
    m.reachability = view.reachable() != null && view.reachable().contains(n.id) ? "reachable" : "unreachable";
    m.addr = own != null && !own.isEmpty() ? own : stored != null && !stored.isEmpty() ? stored : raftAddr;
    n.managerStatus = m;
    return n;
  }

  /** What a user typed for a node: {@code self} is this node (as the docker CLI allows), else id, name or prefix. */
  String nodeRef(String ref) {
    return "self".equals(ref) && lifecycle.nodeId() != null && !lifecycle.nodeId().isEmpty() ? lifecycle.nodeId() : ref;
  }

  /** The {@code version} query parameter of an update: the Version.Index the client read. */
  static Version version(HttpRequest r, String noun) {
    String v = r.param("version");
    try {
      long index = Long.parseLong(v == null ? "" : v.trim());
      if (index < 0) {
        throw new NumberFormatException();
      }
      return new Version(index);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid " + noun + " version '" + (v == null ? "" : v)
          + "': give ?version= with the Version.Index read from inspect");
    }
  }
}
