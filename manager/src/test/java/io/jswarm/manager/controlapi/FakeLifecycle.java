package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.MemoryStore;
import java.util.Map;
import java.util.Set;

/**
 * A one-node membership over a local store: init writes the cluster object (with a CA key the API must never
 * show) and this node's row; {@code manager} false makes it a worker.
 */
final class FakeLifecycle implements SwarmLifecycle {
  static final String CA_CERT = "-----BEGIN CERTIFICATE-----\nFAKECACERT\n-----END CERTIFICATE-----\n";
  static final String CA_KEY = "-----BEGIN PRIVATE KEY-----\nTOPSECRETCAKEY\n-----END PRIVATE KEY-----\n";

  final MemoryStore store;
  volatile String state = "inactive";
  volatile boolean manager = true;
  volatile String nodeId = "";
  volatile ClusterView view;

  FakeLifecycle(MemoryStore store) {
    this.store = store;
  }

  @Override
  public synchronized String init(SwarmRequests.Init request) {
    if (!nodeId.isEmpty()) {
      throw new ConflictException("This node is already part of a swarm.");
    }
    Swarm cluster = new Swarm();
    cluster.spec = request.spec != null ? request.spec : new Swarm.Spec();
    cluster.spec.name = Swarm.DEFAULT_NAME;
    cluster.rootCA = new Swarm.RootCAState();
    cluster.rootCA.caCert = CA_CERT;
    cluster.rootCA.caKey = CA_KEY;
    cluster.joinTokens = new Swarm.JoinTokens();
    cluster.joinTokens.worker = "JSWMTKN-1-digest-worker0";
    cluster.joinTokens.manager = "JSWMTKN-1-digest-manager0";
    Node self = new Node();
    self.spec = new Node.Spec();
    self.spec.role = "manager";
    self.spec.availability = "active";
    self.description = new Node.Description();
    self.description.hostname = "m1";
    self.status = new Node.Status();
    self.status.state = "ready";
    self.status.addr = "127.0.0.1";
    String id = store.update(tx -> {
      tx.cluster().create(cluster);
      return tx.nodes().create(self).id;
    });
    nodeId = id;
    state = "active";
    view = new ClusterView(id, Map.of(id, "127.0.0.1:2378"), Set.of(id));
    return id;
  }

  @Override
  public void join(SwarmRequests.Join request) {
    throw new UnavailableException("join is not part of this fake");
  }

  @Override
  public void leave(boolean force) {
    nodeId = "";
    state = "inactive";
  }

  @Override
  public String localNodeState() {
    return state;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public String nodeAddr() {
    return nodeId.isEmpty() ? "" : "127.0.0.1:2377";
  }

  @Override
  public MemoryStore managerStore() {
    if (!manager) {
      throw new UnavailableException(WORKER_NOT_MANAGER);
    }
    return store;
  }

  @Override
  public ClusterView clusterView() {
    return view;
  }
}
