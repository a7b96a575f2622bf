package io.jswarm.manager.ca;

import io.jswarm.api.types.Node;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.PeerIdentity;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /raft/key} on the cluster port: hands the cluster's data encryption key (the key of the Raft log
 * and snapshots) to a manager that is about to start its Raft member — after a manager join or a promotion —
 * over mutual TLS, to a peer whose certificate is a manager's and whose node is a manager in the store. Every
 * manager needs the same key: Ratis replicates each log entry as the leader wrote it, encrypted.
 */
public final class DataKeyRoutes {
  private final MemoryStore store;
  private final Supplier<byte[]> dataKey;

  public DataKeyRoutes(MemoryStore store, Supplier<byte[]> dataKey) {
    this.store = store;
    this.dataKey = dataKey;
  }

  public void routes(Router r) {
    r.post("/raft/key", this::key);
  }

  HttpResponse key(HttpRequest request) {
    PeerIdentity peer = request.peer();
    if (peer == null) {
      return HttpResponse.error(401, "/raft/key needs the manager's certificate as TLS client certificate");
    }
    Node node = store.view(tx -> tx.nodes().get(peer.nodeId()));
    boolean managerInStore = node != null && node.spec != null && "manager".equals(node.spec.role);
    if (!managerInStore || !peer.isManager()) {
      return HttpResponse.error(403, "node " + peer.nodeId() + " may not have the cluster's data key: "
          + (!managerInStore ? "it is not a manager in this swarm" : "its certificate is a worker's; renew it first"));
    }
    return HttpResponse.ok(Map.of("DataKey", Base64.getEncoder().encodeToString(dataKey.get())));
  }
}
