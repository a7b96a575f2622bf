package io.jswarm.consensus.raft;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Who may make which call on this manager's Raft port, decided on every call and every message of a stream (the
 * TLS handshake already required a manager certificate of the cluster; this adds what the certificate cannot
 * know: membership now). The peer is the node id its certificate names.
 *
 * <ul>
 *   <li>{@link Kind#CLIENT} (writes, reads, admin calls): this manager itself; a node the store holds as a
 *       manager; or, when the store has no row for it yet (this replica is still catching up), a member of the
 *       Raft configuration. A node the store holds as a worker is refused from the moment its demotion is
 *       applied here, whatever its certificate says; a removed node (no row, not in the configuration) too.
 *   <li>{@link Kind#REPLICATION} (append entries, votes, snapshots between members): this manager itself; a member
 *       of the Raft configuration (a demoted manager stays one until the leader takes it out, and Raft must keep
 *       talking to it until then); a node the store holds as a manager (being added); or anyone while this
 *       manager has no configuration yet (a new member waiting for the leader's first call).
 * </ul>
 */
final class RaftPeerPolicy {
  /** The two families of Ratis services. */
  enum Kind { CLIENT, REPLICATION }

  private final String self;
  /** A node's {@code Spec.Role} as this store has it ("" when its row has none), or null when it has no row. */
  private final Function<String, String> roles;
  private final Predicate<String> inConfiguration;
  private final java.util.function.BooleanSupplier hasConfiguration;

  /**
   * @param self this manager's node id
   * @param roles a node's {@code Spec.Role} as the store has it ("" when its row has none), or null when the store has
   *     no row for it (read without copying the row: this runs on every Raft message)
   * @param inConfiguration whether an id is in the current (or previous, during a change) Raft configuration
   * @param hasConfiguration whether this member has any configuration yet
   */
  RaftPeerPolicy(String self, Function<String, String> roles, Predicate<String> inConfiguration,
      java.util.function.BooleanSupplier hasConfiguration) {
    this.self = Objects.requireNonNull(self, "self");
    this.roles = Objects.requireNonNull(roles, "roles");
    this.inConfiguration = Objects.requireNonNull(inConfiguration, "inConfiguration");
    this.hasConfiguration = Objects.requireNonNull(hasConfiguration, "hasConfiguration");
  }

  /** Null when {@code peer} may make a call of {@code kind} now, else why not. */
  String refusal(String peer, Kind kind) {
    if (peer == null) {
      return "no node certificate";
    }
    if (peer.equals(self)) {
      return null;
    }
    String role = roles.apply(peer);
    boolean manager = "manager".equals(role);
    if (manager) {
      return null;
    }
    if (kind == Kind.REPLICATION) {
      return inConfiguration.test(peer) || !hasConfiguration.getAsBoolean() ? null
          : "node " + peer + " is not a member of the Raft group";
    }
    if (role == null && inConfiguration.test(peer)) {
      return null;
    }
    return role == null ? "node " + peer + " is not part of this swarm (it was removed)"
        : "node " + peer + " is not a manager now (it was demoted): its certificate no longer gives Raft access";
  }
}
