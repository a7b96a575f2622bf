package io.jswarm.api.dispatcher;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The endpoints of one overlay network on nodes other than the receiving one, as the dispatcher pushes them (jswarm
 * has no gossip): the node programs a static FDB entry (MAC -> node underlay address) and a neighbour entry (address ->
 * MAC) in the network's sandbox for each. With {@code Full} the list replaces whatever the node had for the network
 * (an empty full list: the node has no endpoint on it any more); otherwise {@code Endpoints} are added or changed and
 * {@code Removed} (task ids) are gone.
 */
public class NetworkEndpoints {
  @JsonProperty("NetworkID")
  public String networkId;
  /** The network's VXLAN id. */
  @JsonProperty("VNI")
  public Integer vni;
  public Boolean full;
  public List<Endpoint> endpoints = new ArrayList<>();
  public List<String> removed = new ArrayList<>();

  public NetworkEndpoints() {}

  public NetworkEndpoints(String networkId, Integer vni, boolean full, List<Endpoint> endpoints, List<String> removed) {
    this.networkId = networkId;
    this.vni = vni;
    this.full = full;
    this.endpoints = new ArrayList<>(endpoints);
    this.removed = new ArrayList<>(removed);
  }

  public boolean isFull() {
    return Boolean.TRUE.equals(full);
  }

  /**
   * One task's place on the network: its address (no prefix length), the MAC derived from it as Docker does
   * ({@code 02:42:} + the four address bytes), and the underlay address of its node ({@code Node.Status.Addr},
   * the VXLAN tunnel end).
   */
  public static class Endpoint {
    @JsonProperty("TaskID")
    public String taskId;
    public String addr;
    @JsonProperty("MAC")
    public String mac;
    public String nodeAddr;

    public Endpoint() {}

    public Endpoint(String taskId, String addr, String mac, String nodeAddr) {
      this.taskId = taskId;
      this.addr = addr;
      this.mac = mac;
      this.nodeAddr = nodeAddr;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Endpoint e && Objects.equals(taskId, e.taskId) && Objects.equals(addr, e.addr)
          && Objects.equals(mac, e.mac) && Objects.equals(nodeAddr, e.nodeAddr);
    }

    @Override
    public int hashCode() {
      return Objects.hash(taskId, addr, mac, nodeAddr);
    }

    @Override
    public String toString() {
      return taskId + " " + addr + " " + mac + " @" + nodeAddr;
    }
  }

  /** Docker's MAC for an IPv4 address: {@code 02:42:} followed by the address bytes. */
  public static String macOf(String ipv4) {
    String[] p = ipv4.split("/")[0].split("\\.");
    if (p.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + ipv4);
    }
    StringBuilder s = new StringBuilder("02:42");
    for (String b : p) {
      s.append(String.format(":%02x", Integer.parseInt(b)));
    }
    return s.toString();
  }
}
