package io.jswarm.manager.ca;

import io.jswarm.api.types.Node;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.PeerAccess;
import io.jswarm.transport.pki.PeerIdentity;
import java.util.Objects;

/**
 * A manager's answer to "is the node this certificate names a member now?", read from its store on every
 * request: a node whose row is gone ({@code node rm} committed) is refused; a node the store holds as a worker is
 * served as a worker even while its certificate still says manager (a demotion counts from its commit, not from
 * the renewal of the certificate). A promoted worker stays a worker until it presents a manager certificate.
 */
public final class StoreAdmission implements PeerAccess.Admission {
  private final MemoryStore store;

  public StoreAdmission(MemoryStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public PeerIdentity admit(PeerIdentity certified) {
    // read without a copy of the row: this runs on every connection to a manager
    Boolean manager = store.viewStale(tx -> tx.nodes().read(certified.nodeId(), n -> n == null ? null : isManager(n)));
    if (manager == null) {
      return null;
    }
    return certified.isManager() && !manager
        ? new PeerIdentity(certified.nodeId(), PeerIdentity.WORKER_ROLE, certified.certificate())
        : certified;
  }

  /** Whether the store holds {@code n} as a manager ({@code Spec.Role}). */
  public static boolean isManager(Node n) {
    return n != null && n.spec != null && "manager".equals(n.spec.role);
  }
}
