package io.jswarm.worker.network;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one daemon's task bridge. Every name is per daemon so that several daemons can share a network
 * namespace (tests, the multi-host harness).
 *
 * @param dataRoot   the daemon's data root; address leases and port bindings persist under {@code network/}
 * @param execRoot   the daemon's exec root; task namespaces are files under {@code netns/}
 * @param bridgeName the bridge (at most 15 characters), Docker's {@code docker_gwbridge}
 * @param subnet     IPv4 CIDR of the bridge network; the gateway (first address) sits on the bridge
 * @param nftTable   the nftables table (family ip) holding this daemon's NAT and published-port rules
 * @param mtu        MTU of the bridge and of the task veths
 * @param nodeName   how error messages name this node (port conflicts)
 * @param hostNetns  the namespace the bridge lives in, as a netns file; null: the daemon's own namespace
 * @param resolvConf the host resolv.conf whose nameservers tasks get (loopback ones are dropped)
 */
public record BridgeConfig(Path dataRoot, Path execRoot, String bridgeName, String subnet, String nftTable, int mtu,
    String nodeName, Path hostNetns, Path resolvConf) {
  public static final String DEFAULT_BRIDGE = "jswarm_gwbridge";
  public static final String DEFAULT_SUBNET = "172.18.0.0/16";
  public static final String DEFAULT_TABLE = "jswarm";
  public static final int DEFAULT_MTU = 1500;

  public BridgeConfig {
    Objects.requireNonNull(dataRoot, "dataRoot");
    Objects.requireNonNull(execRoot, "execRoot");
    if (bridgeName == null || bridgeName.isEmpty() || bridgeName.length() > 15 || !bridgeName.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("bridge name '" + bridgeName
          + "' must be 1-15 characters of letters, digits, '_', '.' or '-'");
    }
    if (nftTable == null || !nftTable.matches("[A-Za-z][A-Za-z0-9_]{0,63}")) {
      throw new IllegalArgumentException("nftables table name '" + nftTable
          + "' must start with a letter and hold only letters, digits and '_'");
    }
    Ipv4Subnet.parse(subnet); // validates
    if (mtu < 68 || mtu > 65535) {
      throw new IllegalArgumentException("MTU " + mtu + " is out of range 68-65535");
    }
    if (nodeName == null) {
      nodeName = "this node";
    }
    if (resolvConf == null) {
      resolvConf = Path.of("/etc/resolv.conf");
    }
  }

  /** The defaults: bridge {@value #DEFAULT_BRIDGE}, subnet {@value #DEFAULT_SUBNET}, table {@value #DEFAULT_TABLE}. */
  public static BridgeConfig defaults(Path dataRoot, Path execRoot, String nodeName) {
    return new BridgeConfig(dataRoot, execRoot, DEFAULT_BRIDGE, DEFAULT_SUBNET, DEFAULT_TABLE, DEFAULT_MTU, nodeName,
        null, null);
  }

  public BridgeConfig withNames(String bridge, String subnet, String table) {
    return new BridgeConfig(dataRoot, execRoot, bridge, subnet, table, mtu, nodeName, hostNetns, resolvConf);
  }

  public BridgeConfig withHostNetns(Path netns) {
    return new BridgeConfig(dataRoot, execRoot, bridgeName, subnet, nftTable, mtu, nodeName, netns, resolvConf);
  }

  public BridgeConfig withResolvConf(Path file) {
    return new BridgeConfig(dataRoot, execRoot, bridgeName, subnet, nftTable, mtu, nodeName, hostNetns, file);
  }
}
