package io.jswarm.worker.network;

import static io.jswarm.worker.network.OverlayNetworking.MAX_MTU;
import static io.jswarm.worker.network.OverlayNetworking.MTU_OPTION;
import static io.jswarm.worker.network.OverlayNetworking.VXLAN_OPTION;
import static io.jswarm.worker.network.OverlayNetworking.VXLAN_OVERHEAD;

import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import java.util.Map;

/**
 * What a task's attachment says about its overlay network, checked: the network id, VXLAN id, subnet and gateway,
 * the task's address in it and the network's MTU option (0 when it has none). Each refusal names the network and
 * what the manager's allocator (or the user's {@code network create}) must set.
 */
record OverlayAttachment(String networkId, int vni, Ipv4Subnet subnet, int gateway, int address, int mtu) {
  String cidr() {
    return Ipv4Subnet.toString(address) + "/" + subnet.prefixLength();
  }

  static OverlayAttachment of(NetworkAttachment a) {
    Network n = a.network;
    if (n == null || n.id == null) {
      throw new IllegalArgumentException("task network attachment has no network; the manager's allocator "
          + "must fill NetworksAttachments[].Network");
    }
    String name = n.spec != null && n.spec.name != null ? n.spec.name : n.id;
    Map<String, String> userOpts = n.spec != null && n.spec.driverConfiguration != null
        && n.spec.driverConfiguration.options != null ? n.spec.driverConfiguration.options : Map.of();
    if (userOpts.containsKey("encrypted")) {
      throw new IllegalArgumentException("overlay network " + name + " asks for encryption (--opt encrypted), "
          + "which needs IPsec, and this kernel has none; create the network without --opt encrypted");
    }
    String vxlan = n.driverState != null && n.driverState.options != null
        ? n.driverState.options.get(VXLAN_OPTION) : null;
    if (vxlan == null || vxlan.isBlank()) {
      throw new IllegalArgumentException("overlay network " + name + " has no VXLAN id (DriverState.Options "
          + VXLAN_OPTION + "); the manager's allocator must set it");
    }
    int vni;
    try {
      vni = Integer.parseInt(vxlan.split(",")[0].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("overlay network " + name + ": " + VXLAN_OPTION + " '" + vxlan
          + "' is not a number 1-16777215");
    }
    if (vni < 1 || vni > 16777215) {
      throw new IllegalArgumentException("overlay network " + name + ": VXLAN id " + vni
          + " is out of range 1-16777215");
    }
    IPAMOptions ipam = n.ipamOptions;
    IPAMOptions.IPAMConfig c = ipam != null && ipam.configs != null && !ipam.configs.isEmpty()
        ? ipam.configs.get(0) : null;
    if (c == null || c.subnet == null) {
      throw new IllegalArgumentException("overlay network " + name + " has no subnet (IPAMOptions.Configs); "
          + "the manager's allocator must set it");
    }
    Ipv4Subnet subnet = Ipv4Subnet.parse(c.subnet);
    int gw = c.gateway == null || c.gateway.isBlank() ? subnet.gateway() : Ipv4Subnet.toInt(c.gateway.split("/")[0]);
    if (a.addresses == null || a.addresses.isEmpty()) {
      throw new IllegalArgumentException("task has no address on overlay network " + name);
    }
    int addr = Ipv4Subnet.toInt(a.addresses.get(0).split("/")[0]);
    if (!subnet.contains(addr)) {
      throw new IllegalArgumentException("task address " + a.addresses.get(0) + " is outside the subnet "
          + c.subnet + " of overlay network " + name);
    }
    return new OverlayAttachment(OverlayNetworking.checkName(n.id, "network id"), vni, subnet, gw, addr,
        mtuOption(n, userOpts, name));
  }

  /** The network's {@value OverlayNetworking#MTU_OPTION} (DriverState options, else the spec's); 0 when it has none. */
  private static int mtuOption(Network n, Map<String, String> userOpts, String name) {
    String v = n.driverState != null && n.driverState.options != null
        ? n.driverState.options.get(MTU_OPTION) : null;
    if (v == null) {
      v = userOpts.get(MTU_OPTION);
    }
    if (v == null || v.isBlank()) {
      return 0;
    }
    try {
      int mtu = Integer.parseInt(v.trim());
      if (mtu >= 68 && mtu <= MAX_MTU) {
        return mtu;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("overlay network " + name + ": " + MTU_OPTION + " '" + v
        + "' is not a number 68-" + MAX_MTU + " (the underlay's MTU minus " + VXLAN_OVERHEAD + " at most)");
  }
}
