package io.jswarm.worker.discovery;

import io.jswarm.linux.Nftables;
import io.jswarm.worker.network.NftBalance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Service VIPs balanced with nftables inside a container's network namespace (this kernel has no IPVS, and many
 * hosts lack it too). Connections the container opens to a VIP, TCP or UDP on any port, are DNATed in the
 * {@code output} hook to one of the service's backends:
 * <pre>
 * table ip jswarm_vip {
 *   set empty_vips { type ipv4_addr; elements = { 10.0.1.9 } }   # VIPs without a backend
 *   chain output { type nat hook output priority -100; policy accept;
 *     ip daddr 10.0.1.2 meta l4proto { tcp, udp } dnat to numgen random mod 3 map { 0 : 10.0.1.3, 1 : 10.0.1.4, 2 : 10.0.1.5 }
 *   }
 *   chain reject_empty { type filter hook output priority 0; policy accept;
 *     ip daddr @empty_vips meta l4proto tcp reject with tcp reset
 *     ip daddr @empty_vips reject with icmp type host-unreachable
 *   }
 * }
 * </pre>
 * <ul>
 *   <li>{@code numgen random} rather than {@code jhash}: every new connection is placed independently and evenly
 *   (stickiness comes from conntrack: a connection stays on the backend it was given). {@code numgen inc} would
 *   restart its counter at every rewrite; {@code jhash} of the source would send every connection of a
 *   container to the same backend, since the source address is always the container's own.</li>
 *   <li>{@link #apply} rewrites the whole table in one nft transaction ({@code table; delete table; table {...}}):
 *   new connections see either the old or the new backends, never a mix or none; established connections keep
 *   their conntrack entry, so a backend that goes away gets no new connection while the others carry on.
 *   UDP "connections" to a removed backend keep their conntrack entry until it times out (30 s without a
 *   reply, 120 s once answered); a removed task's address no longer answers, so such flows fail until then.</li>
 *   <li>A VIP without backends refuses at once (TCP reset, ICMP unreachable) instead of timing out on ARP.</li>
 * </ul>
 */
public final class VipBalancer {
  /** The table's name in every container namespace. */
  public static final String TABLE = "jswarm_vip";

  private VipBalancer() {}

  /**
   * Makes the container in {@code netns} balance each VIP (key) over its backends (value, task addresses without
   * prefix length); VIPs absent from the map are no longer balanced. An empty map removes the table.
   */
  public static void apply(Path netns, Map<String, List<String>> backends) {
    if (backends.isEmpty()) {
      remove(netns);
      return;
    }
    Nftables.run(netns, script(backends));
  }

  /** Removes every VIP rule from the container in {@code netns} (idempotent). */
  public static void remove(Path netns) {
    Nftables.run(netns, "table ip " + TABLE + "\ndelete table ip " + TABLE + "\n");
  }

  /** The VIP -> backends map for a container attached to these networks (dnsrr services have no VIP). */
  public static Map<String, List<String>> backends(List<ServiceDirectory.NetworkView> views) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ServiceDirectory.NetworkView v : views) {
      for (ServiceRecord s : v.services()) {
        if (s.vip() != null) {
          List<String> addrs = new ArrayList<>();
          for (ServiceRecord.TaskEndpoint t : s.tasks()) {
            addrs.add(t.address());
          }
          out.put(s.vip(), addrs);
        }
      }
    }
    return out;
  }

  static String script(Map<String, List<String>> backends) {
    StringBuilder rules = new StringBuilder();
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(backends).entrySet()) {
      String vip = ipv4(e.getKey(), "VIP");
      List<String> addrs = e.getValue().stream().map(a -> ipv4(a, "backend of VIP " + vip)).distinct().toList();
      if (addrs.isEmpty()) {
        empty.add(vip);
        continue;
      }
      rules.append("    ip daddr ").append(vip).append(" meta l4proto { tcp, udp } dnat to ")
          .append(NftBalance.target(addrs)).append('\n');
    }
    StringBuilder s = new StringBuilder();
    s.append("table ip ").append(TABLE).append('\n');
    s.append("delete table ip ").append(TABLE).append('\n');
    s.append("table ip ").append(TABLE).append(" {\n");
    s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n").append(rules).append("  }\n");
    if (!empty.isEmpty()) {
      s.append("  set empty_vips {\n    type ipv4_addr\n    elements = { ").append(String.join(", ", empty)).append(" }\n  }\n");
      s.append("  chain reject_empty {\n    type filter hook output priority 0; policy accept;\n");
      s.append("    ip daddr @empty_vips meta l4proto tcp reject with tcp reset\n");
      s.append("    ip daddr @empty_vips reject with icmp type host-unreachable\n  }\n");
    }
    s.append("}\n");
    return s.toString();
  }

  /** Checks that {@code a} is an IPv4 literal (so nothing else can reach the nft script) and writes it canonically. */
  static String ipv4(String a, String what) {
    String[] parts = a == null ? new String[0] : a.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(what + " must be an IPv4 address like 10.0.1.2, got " + a);
    }
    StringBuilder out = new StringBuilder();
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
        throw new IllegalArgumentException(what + " must be an IPv4 address like 10.0.1.2, got " + a);
      }
      out.append(out.length() == 0 ? "" : ".").append(Integer.parseInt(p));
    }
    return out.toString();
  }
}
