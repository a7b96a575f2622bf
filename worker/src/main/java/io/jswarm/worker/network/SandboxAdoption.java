package io.jswarm.worker.network;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Rtnetlink;
import io.jswarm.worker.network.OverlaySandbox.Plug;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** After a daemon restart: reads back an overlay sandbox an earlier process left, to keep it ({@link #adopt}). */
final class SandboxAdoption {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxAdoption.class);

  private SandboxAdoption() {}

  /** A sandbox taken over, and the plugs of each kept task found in it. */
  record Adopted(OverlaySandbox sandbox, Map<String, List<Plug>> plugs) {}

  /**
   * Takes over the sandbox {@code ns} an earlier daemon process made, when it is intact (VXLAN device and {@code gw0}
   * with the gateway address) and some task in {@code taskIds} is plugged into it: the kernel kept the sandbox, the
   * tasks' macvlans (their {@code ethN}, address and MAC) and the FDB/neighbour entries all along, so the adopted
   * containers' overlay traffic never stops. A task is plugged in when its namespace has a macvlan {@code ethN} with
   * an address in the subnet of {@code gw0} and the MAC that address gives. Tasks not kept lose their macvlans with
   * their namespaces. The programmed entries are read back from the VXLAN device, so that the next endpoints message
   * (a new session always starts with a complete one) adds what is missing and deletes what went while no daemon
   * ran. Returns null when the sandbox cannot or need not be kept.
   */
  static Adopted adopt(Path ns, Set<String> taskIds, Function<String, Path> taskNetns) {
    if (taskNetns == null) {
      return null;
    }
    String networkId = ns.getFileName().toString();
    try {
      OverlayNetworking.checkName(networkId, "network id");
      if (!NetNs.exists(ns)) {
        return null;
      }
      try (Rtnetlink in = Rtnetlink.openIn(ns)) {
        Link vx = in.links().stream().filter(l -> "vxlan".equals(l.kind())).findFirst().orElse(null);
        Link gw = in.link(OverlayNetworking.GATEWAY).orElse(null);
        io.jswarm.linux.netlink.Address gwAddr = gw == null ? null : in.addresses().stream()
            .filter(x -> x.index() == gw.index() && x.address() instanceof java.net.Inet4Address).findFirst()
            .orElse(null);
        if (vx == null || gwAddr == null) {
          return null; // half made or half removed: made again from scratch when a task needs it
        }
        int prefix = gwAddr.prefixLength();
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        int net = Ipv4Subnet.toInt(gwAddr.address().getHostAddress()) & mask;
        Map<String, List<Plug>> found = new LinkedHashMap<>();
        for (String taskId : taskIds) {
          Path tn;
          try {
            tn = taskNetns.apply(taskId);
          } catch (IllegalArgumentException e) {
            continue; // not a task id a namespace can have (e.g. malformed)
          }
          if (tn == null || !NetNs.exists(tn)) {
            continue;
          }
          try (Rtnetlink t = Rtnetlink.openIn(tn)) {
            List<io.jswarm.linux.netlink.Address> addrs = t.addresses();
            for (Link l : t.links()) {
              if (!"macvlan".equals(l.kind()) || !l.name().matches("eth[1-9][0-9]*")) {
                continue;
              }
              for (io.jswarm.linux.netlink.Address x : addrs) {
                if (x.index() != l.index() || !(x.address() instanceof java.net.Inet4Address)
                    || x.prefixLength() != prefix) {
                  continue;
                }
                String ip = x.address().getHostAddress();
                if ((Ipv4Subnet.toInt(ip) & mask) == net && NetworkEndpoints.macOf(ip).equals(l.mac())) {
                  found.computeIfAbsent(taskId, k -> new ArrayList<>())
                      .add(new Plug(networkId, l.name(), ip + "/" + prefix, tn));
                }
              }
            }
          }
        }
        if (found.isEmpty()) {
          return null;
        }
        OverlaySandbox sb = new OverlaySandbox(networkId, ns, vx.name(), vx.vxlanId(), vx.mtu());
        sb.programmed.putAll(programmedEntries(in, vx));
        sb.localTasks.addAll(found.keySet());
        LOG.info("overlay network {}: adopted sandbox {} with {} (VNI {}, MTU {}), {} task(s), {} remote endpoint(s)",
            networkId, ns, vx.name(), vx.vxlanId(), vx.mtu(), sb.localTasks.size(), sb.programmed.size());
        return new Adopted(sb, found);
      }
    } catch (Exception e) {
      LOG.warn("cannot adopt overlay sandbox {} (it is removed; its tasks lose the overlay until replaced): {}", ns,
          e.toString());
      return null;
    }
  }

  /** The permanent neighbour entries of the VXLAN device, with the FDB entry of their MAC: address -> endpoint. */
  private static Map<String, NetworkEndpoints.Endpoint> programmedEntries(Rtnetlink in, Link vx) {
    Map<String, String> vtepByMac = new HashMap<>();
    for (io.jswarm.linux.netlink.Neighbour f : in.fdb()) {
      if (f.index() == vx.index() && f.permanent() && f.mac() != null && f.dst() != null) {
        vtepByMac.put(f.mac(), f.dst().getHostAddress());
      }
    }
    Map<String, NetworkEndpoints.Endpoint> out = new TreeMap<>();
    for (io.jswarm.linux.netlink.Neighbour n : in.neighbours()) {
      if (n.index() == vx.index() && n.permanent() && n.mac() != null && n.dst() != null) {
        String ip = n.dst().getHostAddress();
        String vtep = vtepByMac.get(n.mac());
        if (vtep != null) {
          out.put(ip, new NetworkEndpoints.Endpoint(null, ip, n.mac(), vtep));
        }
      }
    }
    return out;
  }
}
