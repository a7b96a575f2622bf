package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.Handler;
import io.jswarm.transport.http.HttpResponse;

/**
 * Reads on a manager that has lost its quorum. Reads are normally linearizable (a Raft read index first); a
 * manager that knows no leader, or whose read index times out for want of a quorum, answers from its own last
 * applied state instead and says so in the {@value #HEADER} response header, so that a user can still see
 * services, nodes and tasks (for instance to decide on {@code swarm init --force-new-cluster}); an error answer
 * (a 404) read that way carries the header too. Writes are never
 * served this way: they fail with the no-quorum error.
 */
final class StaleReads {
  /** Present (with the reason) on an answer read without quorum: it may miss the latest writes. */
  static final String HEADER = "X-Jswarm-Stale-Read";

  private final ManagerGate gate;

  StaleReads(ManagerGate gate) {
    this.gate = gate;
  }

  Handler wrap(Handler h) {
    return req -> {
      SwarmLifecycle.ClusterView v = gate.view();
      if (v != null && v.leaderId() == null && v.managerRaftAddrs() != null && !v.managerRaftAddrs().isEmpty()) {
        return stale(h, req, "this manager knows no leader");
      }
      try {
        return h.handle(req);
      } catch (UnavailableException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("no quorum")) {
          return stale(h, req, "no quorum for a linearizable read");
        }
        throw e;
      }
    };
  }

  private static HttpResponse stale(Handler h, io.jswarm.transport.http.HttpRequest req, String why)
      throws Exception {
    HttpResponse r;
    try {
      r = MemoryStore.allowingStaleReads(() -> h.handle(req));
    } catch (JswarmException e) {
      // a 404 is as stale as a 200: without the header a client would take "no such service" for the truth
      r = HttpResponse.error(e.httpStatus(), e.getMessage());
    }
    return r.header(HEADER, why + "; this is the manager's last applied state and may be stale");
  }
}
