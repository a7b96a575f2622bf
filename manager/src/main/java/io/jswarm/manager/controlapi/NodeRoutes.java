package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Node;
import io.jswarm.api.validation.SpecValidator;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /nodes}: list, inspect, update (promote/demote, availability, labels) and remove, with Swarm's rules. */
final class NodeRoutes {
  static final String MANAGER = "manager";
  static final String WORKER = "worker";
  private static final Set<String> FILTERS = Set.of("id", "label", "membership", "name", "node.label", "role");

  private final ManagerGate gate;
  private final NodeListing listing;

  NodeRoutes(ManagerGate gate) {
    this.gate = gate;
    this.listing = new NodeListing(gate);
  }

  void routes(Router r) {
    r.get("/nodes", this::list);
    r.get("/nodes/{id}", this::inspect);
    r.post("/nodes/{id}/update", this::update);
    r.delete("/nodes/{id}", this::remove);
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), FILTERS);
    for (String m : f.get("membership")) {
      if (!m.equals("accepted") && !m.equals("pending")) {
        throw new InvalidArgumentException("Invalid membership filter value '" + m + "': accepted or pending");
      }
    }
    for (String role : f.get("role")) {
      if (!role.equals(MANAGER) && !role.equals(WORKER)) {
        throw new InvalidArgumentException("Invalid role filter value '" + role + "': manager or worker");
      }
    }
    // the stored rows are looked at in place and each answered with its encoding, kept from the last listing for a
    // worker whose row did not change (NodeListing): with 1,000 nodes, copying and encoding every row was most of it
    SwarmLifecycle.ClusterView view = gate.view();
    boolean everyNode = FILTERS.stream().allMatch(k -> f.get(k).isEmpty());
    Set<String> seen = new java.util.HashSet<>();
    List<byte[]> out = gate.store().view(tx -> {
      List<byte[]> matching = new ArrayList<>();
      tx.nodes().scanAll(n -> {
        if (everyNode) {
          seen.add(n.id);
        }
        Map<String, String> engineLabels = n.description == null || n.description.engine == null
            ? null : n.description.engine.labels;
        boolean match = f.any("id", v -> Filters.prefix(n.id, v))
            && f.any("name", v -> Filters.prefix(hostname(n), v) || Filters.prefix(n.spec == null ? null : n.spec.name, v))
            && f.any("role", v -> v.equals(role(n)))
            && f.any("membership", v -> v.equals("accepted")) // every node in the store was accepted at join
            && f.labels("label", engineLabels)
            && f.labels("node.label", n.spec == null ? null : n.spec.labels);
        if (match) {
          matching.add(listing.json(n, view));
        }
      });
      return matching;
    });
    if (everyNode) {
      listing.keepOnly(seen);
    }
    return HttpResponse.bytes(200, "application/json", NodeListing.array(out));
  }

  private HttpResponse inspect(HttpRequest req) {
    Node n = gate.store().view(tx -> tx.nodes().lookup(gate.nodeRef(req.pathParam("id"))));
    return HttpResponse.ok(gate.withManagerStatus(n, gate.view()));
  }

  private HttpResponse update(HttpRequest req) {
    var version = ManagerGate.version(req, "node");
    Node.Spec spec = req.json(Node.Spec.class);
    SpecValidator.validateNode(spec);
    SwarmLifecycle.ClusterView view = gate.view();
    gate.store().update(tx -> {
      Node n = tx.nodes().lookup(gate.nodeRef(req.pathParam("id")));
      String before = role(n);
      if (MANAGER.equals(before) && WORKER.equals(spec.role)) {
        long managers = tx.nodes().all().stream().filter(x -> MANAGER.equals(role(x))).count();
        if (managers <= 1) {
          throw new InvalidArgumentException("attempting to demote the last manager of the swarm");
        }
        checkQuorumWithout(view, n.id);
      }
      n.spec = spec;
      n.version = version;
      return tx.nodes().update(n);
    });
    return HttpResponse.empty(200);
  }

  private HttpResponse remove(HttpRequest req) {
    boolean force = req.flag("force");
    SwarmLifecycle.ClusterView view = gate.view();
    gate.store().update(tx -> {
      Node n = tx.nodes().lookup(gate.nodeRef(req.pathParam("id")));
      boolean raftMember = view != null && view.managerRaftAddrs() != null
          && view.managerRaftAddrs().containsKey(n.id);
      if (MANAGER.equals(role(n)) || raftMember) {
        throw new InvalidArgumentException("node " + n.id + " is a cluster manager and is a member of the raft "
            + "cluster. It must be demoted to worker before removal");
      }
      if (!force && n.status != null && "ready".equals(n.status.state)) {
        throw new InvalidArgumentException("node " + n.id + " is not down and can't be removed");
      }
      tx.nodes().delete(n.id);
      return null;
    });
    return HttpResponse.empty(200);
  }

  /**
   * Swarm's rule for taking a member out of the Raft group: the members left must still have a reachable
   * majority, or the cluster would stop accepting writes.
   */
  static void checkQuorumWithout(SwarmLifecycle.ClusterView view, String nodeId) {
    if (view == null || view.managerRaftAddrs() == null || !view.managerRaftAddrs().containsKey(nodeId)) {
      return;
    }
    int remaining = view.managerRaftAddrs().size() - 1;
    long reachable = view.reachable() == null ? remaining
        : view.reachable().stream().filter(id -> !id.equals(nodeId) && view.managerRaftAddrs().containsKey(id)).count();
    if (reachable < remaining / 2 + 1) {
      throw new InvalidArgumentException("can't remove member " + nodeId + " from the raft: this would result "
          + "in a loss of quorum (" + reachable + " of the " + remaining + " remaining managers are reachable, "
          + (remaining / 2 + 1) + " are needed); bring the unreachable managers back first");
    }
  }

  static String role(Node n) {
    return n.spec == null || n.spec.role == null || n.spec.role.isEmpty() ? WORKER : n.spec.role;
  }

  static String hostname(Node n) {
    return n.description == null ? null : n.description.hostname;
  }
}
