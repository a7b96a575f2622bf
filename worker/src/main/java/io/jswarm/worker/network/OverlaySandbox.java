package io.jswarm.worker.network;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One overlay network's sandbox on this node ({@link OverlayNetworking}): its pinned namespace, VXLAN device, VNI and
 * MTU, the local tasks plugged into it and the remote endpoints programmed on its device.
 */
final class OverlaySandbox {
  final String networkId;
  final Path netns;
  final String vxlan;
  final int vni;
  final int mtu;
  final Set<String> localTasks = new LinkedHashSet<>();
  /** Programmed entries: address -> endpoint. */
  final Map<String, NetworkEndpoints.Endpoint> programmed = new TreeMap<>();

  OverlaySandbox(String networkId, Path netns, String vxlan, int vni, int mtu) {
    this.networkId = networkId;
    this.netns = netns;
    this.vxlan = vxlan;
    this.vni = vni;
    this.mtu = mtu;
  }

  /** A task's interface on one network: {@code ifname} in the namespace {@code taskNetns}. */
  record Plug(String networkId, String ifname, String cidr, Path taskNetns) {}
}
