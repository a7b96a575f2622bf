package io.jswarm.cli.daemon;

import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.manager.ca.RootRotation;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.RootCA;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a node asks the managers it knows about its certificate: renewal, and the roots to trust now. */
final class ManagerAsks {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerAsks.class);

  private ManagerAsks() {}

  /**
   * Whether the roots this manager's own store says to trust differ from this node's (see
   * {@link #rootsChanged(List, NodeCredentials)}). A manager reads them where {@code GET /ca} does, with no TLS
   * handshake to itself and no HTTP client: it asked itself every 10 s.
   */
  static boolean rootsChanged(MemoryStore store, NodeCredentials current) {
    Swarm cluster = store.viewStale(tx -> tx.cluster().byName(Swarm.DEFAULT_NAME));
    if (cluster == null) {
      return false;
    }
    return !new HashSet<>(RootCA.parseCertificates(RootRotation.trustBundle(cluster), "root CA certificate"))
        .equals(new HashSet<>(current.trustedRoots()));
  }

  /**
   * Whether the roots the leader's dispatcher said to trust at the last heartbeat ({@code rootsDigest}) differ from
   * this node's: a worker with a session learns of a rotation without a TLS connection of its own to ask.
   */
  static boolean rootsChanged(String rootsDigest, NodeCredentials current) {
    return !rootsDigest.equals(RootCA.rootsDigest(current.trustedRoots()));
  }

  /**
   * Whether the roots the managers say to trust, when no session tells ({@code GET /ca}, asked of the first that answers) differ from this
   * node's: a root rotation started or ended, and this node needs a certificate of the new root and the new roots.
   */
  static boolean rootsChanged(List<String> managerAddrs, NodeCredentials current) {
    JoinClient client = new JoinClient(Duration.ofSeconds(5));
    for (String addr : managerAddrs) {
      try {
        return !new HashSet<>(client.trustBundle(addr, current)).equals(new HashSet<>(current.trustedRoots()));
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read the trusted roots from manager {}: {}", addr, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** A renewed certificate from the first manager that gives one. */
  static NodeCredentials renewThroughAny(List<String> managerAddrs, NodeCredentials current) throws Exception {
    JoinClient client = new JoinClient();
    List<String> errors = new ArrayList<>();
    for (String addr : managerAddrs) {
      try {
        return client.renew(addr, current);
      } catch (IOException | RuntimeException e) {
        errors.add(addr + ": " + e.getMessage());
      }
    }
    throw new UnavailableException("no manager renewed this node's certificate: " + String.join("; ", errors));
  }
}
