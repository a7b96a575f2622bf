package io.jswarm.api.types;

import java.util.List;

/** Bodies of {@code POST /swarm/init}, {@code /swarm/join} and {@code /swarm/update}'s query, as Docker sends them. */
public final class SwarmRequests {
  private SwarmRequests() {}

  /** Docker {@code SwarmInitRequest}. ListenAddr/AdvertiseAddr are {@code host[:port]} or an interface name. */
  public static class Init {
    public String listenAddr;
    public String advertiseAddr;
    public String dataPathAddr;
    public Long dataPathPort;
    public List<String> defaultAddrPool;
    public Boolean forceNewCluster;
    public Long subnetSize;
    public Swarm.Spec spec;
  }

  /** Docker {@code SwarmJoinRequest}: RemoteAddrs are managers' cluster addresses ({@code host:2377}). */
  public static class Join {
    public String listenAddr;
    public String advertiseAddr;
    public String dataPathAddr;
    public List<String> remoteAddrs;
    public String joinToken;
  }

  /** Docker {@code SwarmUnlockRequest}. */
  public static class Unlock {
    public String unlockKey;
  }
}
