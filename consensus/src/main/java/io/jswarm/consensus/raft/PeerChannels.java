package io.jswarm.consensus.raft;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.thirdparty.io.grpc.ConnectivityState;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;

/**
 * Keeps this member's Raft connections to every other member open, not only those it needed so far.
 *
 * <p>Why (docs/scale.md, <i>Leader failover</i>): a follower talks only to the leader, so Ratis makes its connection
 * to another follower (a gRPC channel: TCP and, between managers, a mutual TLS handshake) the first time it asks that
 * one for a vote, i.e. right after the leader died. On a loaded 2-core machine that handshake took 0.4-0.7 s, longer
 * than the vote's own wait at 0.5-1 s election timeouts: both survivors' pre-votes timed out, both then ran an
 * election at once and split the vote, and the first write came 1-2 s later than it needed to. With the channel
 * already up, the first candidate's vote requests are answered in milliseconds.
 *
 * <p>How: Ratis' peer clients ({@code GrpcServerProtocolClient}) are made on first use and their channels connect on
 * the first call; {@link #warm} makes the client of every member of the configuration and asks its channel to
 * connect ({@code ManagedChannel.getState(true)}; an open one is left as it is, one the other side closed as idle is
 * reconnected). Ratis 3.3 has no call for that, so the channel is read from the client's field; if that ever fails
 * (another Ratis version) nothing is warmed and elections work as before.
 */
final class PeerChannels {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerChannels.class);
  /** Ratis' gRPC client of one peer (package-private in Ratis). */
  private static final String CLIENT_CLASS = "org.apache.ratis.grpc.server.GrpcServerProtocolClient";
  private static final Field CHANNEL = channelField();

  private PeerChannels() { }

  private static Field channelField() {
    try {
      Field f = Class.forName(CLIENT_CLASS).getDeclaredField("channel");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Raft peer connections are not kept open (this Ratis has no GrpcServerProtocolClient.channel: {});"
          + " an election then opens them", e.toString());
      return null;
    }
  }

  /** Makes and connects the channel of every member in {@code peers} other than {@code me}. */
  static void warm(RaftServer server, RaftPeerId me, Collection<RaftPeer> peers) {
    for (var e : channels(server, me, peers).entrySet()) {
      e.getValue().getState(true);
    }
  }

  /** The connection state of this member's channel to each other member (tests). */
  static Map<RaftPeerId, ConnectivityState> states(RaftServer server, RaftPeerId me, Collection<RaftPeer> peers) {
    Map<RaftPeerId, ConnectivityState> out = new LinkedHashMap<>();
    channels(server, me, peers).forEach((id, ch) -> out.put(id, ch.getState(false)));
    return out;
  }

  /** The state of this member's channel to {@code peer}, or null when there is none to read. */
  static ConnectivityState state(RaftServer server, RaftPeer peer) {
    ManagedChannel ch = channels(server, null, java.util.List.of(peer)).get(peer.getId());
    return ch == null ? null : ch.getState(false);
  }

  private static Map<RaftPeerId, ManagedChannel> channels(RaftServer server, RaftPeerId me,
      Collection<RaftPeer> peers) {
    Map<RaftPeerId, ManagedChannel> out = new LinkedHashMap<>();
    RaftServerRpc rpc = server.getServerRpc();
    if (CHANNEL == null || !(rpc instanceof RaftServerRpcWithProxy<?, ?> withProxies)) {
      return out;
    }
    for (RaftPeer p : peers) {
      if (p.getId().equals(me)) { // me null: none is this member
        continue;
      }
      try {
        withProxies.getProxies().computeIfAbsent(p); // a member added since is known to the map too
        Object client = withProxies.getProxies().getProxy(p.getId());
        if (CHANNEL.getDeclaringClass().isInstance(client)) {
          out.put(p.getId(), (ManagedChannel) CHANNEL.get(client));
        }
      } catch (IOException | ReflectiveOperationException | RuntimeException e) {
        LOG.debug("no Raft channel to {}: {}", p.getId(), e.toString());
      }
    }
    return out;
  }
}
