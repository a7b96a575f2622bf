package io.jswarm.consensus.raft;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * The Raft group's membership as a manager's member sees and changes it ({@link RaftNode#addManager},
 * {@link RaftNode#removeManager}; the per-call check of {@link RaftPeerPolicy}), and the storage move of
 * {@link RaftNode#closeForNewCluster}.
 */
final class RaftMembership {
  /** Ratis' file of the current term and vote in a group's {@code current} directory. */
  private static final String TERM_FILE = "raft-meta";

  private final RaftGroupId groupId;
  private final Supplier<RaftServer> server;
  private final Supplier<RaftGroup> group;
  private final Supplier<RaftClient> admin;
  private final BiFunction<Throwable, String, JswarmException> mapFailure;

  /**
   * @param server the member's server (null while it is being built)
   * @param group the group as the member knows it now
   * @param admin a client for a configuration change, closed after it
   */
  RaftMembership(RaftGroupId groupId, Supplier<RaftServer> server, Supplier<RaftGroup> group,
      Supplier<RaftClient> admin, BiFunction<Throwable, String, JswarmException> mapFailure) {
    this.groupId = groupId;
    this.server = server;
    this.group = group;
    this.admin = admin;
    this.mapFailure = mapFailure;
  }

  static List<RaftPeer> peers(Map<String, String> idToAddress) {
    List<RaftPeer> out = new ArrayList<>();
    idToAddress.forEach((id, addr) -> out.add(RaftPeer.newBuilder().setId(id).setAddress(addr).build()));
    return out;
  }

  /** See {@link RaftNode#addManager}. */
  void add(String id, String address) {
    RaftGroup g = group.get();
    if (g.getPeer(RaftPeerId.valueOf(id)) != null) {
      throw new InvalidArgumentException("manager " + id + " is already a member of the Raft group");
    }
    List<RaftPeer> next = new ArrayList<>(g.getPeers());
    next.add(RaftPeer.newBuilder().setId(id).setAddress(address).build());
    setConfiguration(next, "add manager " + id);
  }

  /** See {@link RaftNode#removeManager}. */
  void remove(String id) {
    RaftGroup g = group.get();
    if (g.getPeer(RaftPeerId.valueOf(id)) == null) {
      throw new NotFoundException("manager " + id + " is not a member of the Raft group");
    }
    if (g.getPeers().size() == 1) {
      throw new InvalidArgumentException("cannot remove the last manager of the Raft group");
    }
    List<RaftPeer> next = new ArrayList<>(g.getPeers());
    next.removeIf(p -> p.getId().toString().equals(id));
    setConfiguration(next, "remove manager " + id);
  }

  private void setConfiguration(List<RaftPeer> peers, String what) {
    RaftClientReply reply;
    try (RaftClient c = admin.get()) {
      reply = c.admin().setConfiguration(peers);
    } catch (IOException e) {
      throw mapFailure.apply(e, what);
    }
    if (!reply.isSuccess()) {
      throw mapFailure.apply(reply.getException(), what);
    }
  }

  /** Whether {@code id} is in this member's Raft configuration (current or, during a change, previous). */
  boolean inConfiguration(String id) {
    RaftServer s = server.get();
    if (s == null) {
      return false;
    }
    try {
      return s.getDivision(groupId).getRaftConf().getAllPeers().stream().anyMatch(p -> p.getId().toString().equals(id));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether this member has a Raft configuration yet (a new member waits for the leader to send it one). */
  boolean hasConfiguration() {
    RaftServer s = server.get();
    if (s == null) {
      return false;
    }
    try {
      return !s.getDivision(groupId).getRaftConf().getAllPeers().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Moves a stopped member's Raft storage but its term file (log segments, the saved configuration) aside to
   * {@code <storageDir>/before-force-new-cluster-<millis>} ({@link RaftNode#closeForNewCluster}); returns that
   * directory.
   */
  static Path moveLogAside(Path storageDir, RaftGroupId groupId) throws IOException {
    Path current = storageDir.resolve(groupId.getUuid().toString()).resolve("current");
    Path aside = storageDir.resolve("before-force-new-cluster-" + System.currentTimeMillis());
    Files.createDirectories(aside);
    try (var files = Files.list(current)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(TERM_FILE)) {
          Files.move(f, aside.resolve(f.getFileName()));
        }
      }
    }
    return aside;
  }
}
