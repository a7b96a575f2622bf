package io.jswarm.consensus.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/** A running member's status asked over its Raft port, from outside its process ({@code jswarm raft status}). */
public final class RaftStatusQuery {
  private RaftStatusQuery() {}

  /**
   * Asks the Raft member {@code id} listening on {@code address} for its status, over the Raft port. This is how
   * {@code jswarm raft status} reads a running daemon.
   */
  public static RaftStatus query(String id, String address, String clusterId, Duration timeout)
      throws IOException {
    return query(id, address, clusterId, timeout, null, null);
  }

  /**
   * {@link #query(String, String, String, Duration)} of a member whose Raft port is mutual TLS
   * ({@link RaftConfig.Builder#tls}); both managers null for plain TCP.
   */
  public static RaftStatus query(String id, String address, String clusterId, Duration timeout,
      KeyManager keyManager, TrustManager trustManager) throws IOException {
    RaftGroupId gid = RaftNode.groupIdFor(clusterId);
    RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(address).build();
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, RaftSettings.rpcType(keyManager != null));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
    try (RaftClient c = RaftClient.newBuilder().setProperties(p).setRaftGroup(RaftGroup.valueOf(gid, peer))
        .setParameters(RaftSettings.tlsParameters(keyManager, trustManager))
        .setRetryPolicy(RetryPolicies.noRetry()).build()) {
      GroupInfoReply info = c.getGroupManagementApi(peer.getId()).info(gid);
      RoleInfoProto role = info.getRoleInfoProto();
      String leader = role.getRole() == RaftPeerRole.LEADER ? id
          : role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()
              ? role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8() : null;
      LogInfoProto log = info.getLogInfoProto();
      Map<String, String> peers = new LinkedHashMap<>();
      info.getGroup().getPeers().forEach(x -> peers.put(x.getId().toString(), x.getAddress()));
      long term = log.hasLastEntry() ? log.getLastEntry().getTerm() : 0;
      return new RaftStatus(id, role.getRole().name(), leader, term,
          log.hasCommitted() ? log.getCommitted().getIndex() : -1,
          log.hasApplied() ? log.getApplied().getIndex() : -1,
          log.hasLastSnapshot() ? log.getLastSnapshot().getIndex() : -1, peers);
    } catch (RuntimeException e) { // the gRPC transport reports connection and TLS failures unchecked
      throw new IOException("cannot query the Raft member " + id + " at " + address + ": " + e.getMessage(), e);
    }
  }
}
