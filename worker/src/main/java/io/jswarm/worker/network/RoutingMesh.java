package io.jswarm.worker.network;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the ingress routing mesh (Docker's {@code ingress-sbox}, with nftables instead of IPVS). Every
 * node, whether it runs a task of the service or not, listens on every published ingress port:
 * <pre>
 *  client ──> node:8080 ──(host table: DNAT, prerouting + output)──> 172.18.0.2:8080  eth0 of the ingress sandbox
 *             ingress sandbox: DNAT numgen random -> a task's ingress address:80, masquerade to 10.0.0.3 (eth1)
 *             ──> ingress overlay (macvlan on VXLAN) ──> task on any node; replies come back to 10.0.0.3, then the
 *             way they came (conntrack undoes both translations)
 * </pre>
 * <ul>
 *   <li>The ingress sandbox is a network namespace made like a task's by {@link CompositeNetworking}: {@code eth0} on
 *   the node's task bridge (so host-side DNAT, 127.0.0.1 and hairpin work exactly as for host-mode ports) and
 *   {@code eth1} on the ingress overlay with the node's own ingress address ({@code Node.Attachments}), which the
 *   managers push to every node as an endpoint, so tasks on other nodes reach it. Its id is {@value #SANDBOX_ID}
 *   and it is pinned so that reconciling the executor's tasks leaves it alone.</li>
 *   <li>Host table ({@code <bridge table>_ingress} in the node's namespace): published port on any local address
 *   -> the sandbox's {@code eth0} address, same port.</li>
 *   <li>Sandbox table {@value #SANDBOX_TABLE}: published port -> {@code numgen random} over the backends, target
 *   port; what leaves towards the ingress subnet after a DNAT is masqueraded to the node's ingress address, so a
 *   task answers the sandbox that sent the request, on whatever node. A port without backends has no rule: the
 *   sandbox itself refuses the connection (TCP reset, ICMP port unreachable).</li>
 * </ul>
 * The sandbox exists while some service publishes an ingress port (so nodes of a swarm without published ports carry
 * no ingress VXLAN device); both tables are rewritten atomically on every change, so a new connection sees the old
 * backends or the new ones, never none, and established connections keep theirs (conntrack). Thread-safe.
 */
public final class RoutingMesh {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingMesh.class);
  /** The sandbox's id among the task sandboxes. */
  public static final String SANDBOX_ID = "ingress-sbox";
  /** The table inside the ingress sandbox. */
  public static final String SANDBOX_TABLE = "jswarm_ingress";

  private final CompositeNetworking networks;
  private final String hostTable;
  private NetworkAttachment attachment;
  private Sandbox sandbox;
  private List<IngressPort> ports = List.of();
  /** Whether the host table may exist (an earlier process may have left one: cleared on the first update). */
  private boolean hostTableMayExist = true;

  public RoutingMesh(CompositeNetworking networks) {
    this.networks = Objects.requireNonNull(networks, "networks");
    this.hostTable = networks.bridge().config().nftTable() + "_ingress";
  }

  /** The host table's name (in the node's namespace). */
  public String hostTable() {
    return hostTable;
  }

  /** The ingress sandbox's namespace, or null while there is none. */
  public synchronized Path sandboxNetns() {
    return sandbox == null ? null : sandbox.netns();
  }

  /** The ports programmed now. */
  public synchronized List<IngressPort> ports() {
    return ports;
  }

  /**
   * Makes the node route {@code wanted}: the node's ingress attachment ({@code nodeAttachment}, null when it has none)
   * and the published ports with their backends. Nothing to publish, or no attachment: the sandbox and both tables go.
   */
  public synchronized void update(NetworkAttachment nodeAttachment, List<IngressPort> wanted) throws Exception {
    List<IngressPort> sorted = new ArrayList<>(wanted);
    sorted.sort(Comparator.comparing(IngressPort::protocol).thenComparingInt(IngressPort::published));
    if (nodeAttachment == null || sorted.isEmpty()) {
      teardown();
      return;
    }
    if (sandbox != null && !Json.toString(nodeAttachment).equals(Json.toString(attachment))) {
      LOG.info("the node's ingress address changed to {}: remaking the ingress sandbox", nodeAttachment.addresses);
      removeSandbox();
    }
    if (sandbox == null) {
      makeSandbox(nodeAttachment);
    }
    if (sorted.equals(ports)) {
      return;
    }
    String sandboxAddr = sandbox.addresses().get(0).split("/")[0];
    String ingressSubnet = subnetOf(nodeAttachment);
    Nftables.run(sandbox.netns(), sandboxScript(sorted, ingressSubnet));
    Nftables.run(networks.bridge().config().hostNetns(), hostScript(hostTable, sorted, sandboxAddr));
    hostTableMayExist = true;
    ports = List.copyOf(sorted);
    LOG.info("routing mesh: {} published port(s) {}", sorted.size(), describe(sorted));
  }

  /** Removes the host table and the ingress sandbox (no port published any more, or the node leaves). Idempotent. */
  public synchronized void teardown() throws Exception {
    if (hostTableMayExist) {
      Nftables.run(networks.bridge().config().hostNetns(),
          "table ip " + hostTable + "\ndelete table ip " + hostTable + "\n");
      hostTableMayExist = false;
    }
    if (sandbox != null) {
      removeSandbox();
      LOG.info("routing mesh: no published port left; ingress sandbox removed");
    }
    ports = List.of();
  }

  private void makeSandbox(NetworkAttachment nodeAttachment) throws Exception {
    Task t = new Task();
    t.id = SANDBOX_ID;
    t.networksAttachments = List.of(nodeAttachment);
    networks.pin(SANDBOX_ID);
    try {
      Sandbox s = networks.create(t);
      NetNs.call(s.netns(), () -> {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        return null;
      });
      sandbox = s;
      attachment = nodeAttachment;
      ports = List.of();
      LOG.info("routing mesh: ingress sandbox {} with {}", s.netns(), s.addresses());
    } catch (Exception | Error e) {
      networks.unpin(SANDBOX_ID);
      try {
        networks.release(SANDBOX_ID);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private void removeSandbox() throws Exception {
    sandbox = null;
    attachment = null;
    ports = List.of();
    try {
      networks.release(SANDBOX_ID);
    } finally {
      networks.unpin(SANDBOX_ID);
    }
  }

  // ---------------------------------------------------------------- scripts

  /** The host table: a published port on any local address goes to the sandbox's {@code eth0}, same port. */
  static String hostScript(String table, List<IngressPort> ports, String sandboxAddr) {
    String to = ipv4(sandboxAddr);
    StringBuilder s = new StringBuilder();
    s.append("table ip ").append(table).append('\n');
    s.append("delete table ip ").append(table).append('\n');
    s.append("table ip ").append(table).append(" {\n  chain ports {\n");
    for (IngressPort p : ports) {
      s.append("    ").append(p.protocol()).append(" dport ").append(p.published()).append(" dnat to ").append(to)
          .append(':').append(p.published()).append('\n');
    }
    s.append("  }\n");
    s.append("  chain prerouting {\n    type nat hook prerouting priority -100; policy accept;\n")
        .append("    fib daddr type local jump ports\n  }\n");
    s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n")
        .append("    fib daddr type local jump ports\n  }\n");
    s.append("}\n");
    return s.toString();
  }

  /**
   * The sandbox table: each published port to one of its backends' target port, picked by {@code numgen random};
   * what then leaves towards the ingress subnet is masqueraded to the sandbox's ingress address.
   */
  static String sandboxScript(List<IngressPort> ports, String ingressSubnet) {
    StringBuilder rules = new StringBuilder();
    for (IngressPort p : ports) {
      List<String> addrs = p.backends().stream().map(RoutingMesh::ipv4).distinct().sorted().toList();
      if (addrs.isEmpty()) {
        continue; // refused by the sandbox itself: nothing listens there
      }
      rules.append("    iifname \"eth0\" ").append(p.protocol()).append(" dport ").append(p.published())
          .append(" dnat to ").append(NftBalance.target(addrs));
      rules.append(':').append(p.target()).append('\n');
    }
    StringBuilder s = new StringBuilder();
    s.append("table ip ").append(SANDBOX_TABLE).append('\n');
    s.append("delete table ip ").append(SANDBOX_TABLE).append('\n');
    s.append("table ip ").append(SANDBOX_TABLE).append(" {\n");
    s.append("  chain prerouting {\n    type nat hook prerouting priority -100; policy accept;\n").append(rules)
        .append("  }\n");
    s.append("  chain postrouting {\n    type nat hook postrouting priority 100; policy accept;\n")
        .append("    ip daddr ").append(Ipv4Subnet.parse(ingressSubnet)).append(" ct status dnat masquerade\n")
        .append("  }\n");
    s.append("}\n");
    return s.toString();
  }

  private static String subnetOf(NetworkAttachment a) {
    var ipam = a.network == null ? null : a.network.ipamOptions;
    if (ipam == null || ipam.configs == null || ipam.configs.isEmpty() || ipam.configs.get(0).subnet == null) {
      throw new IllegalArgumentException("the ingress network has no subnet (IPAMOptions.Configs); the manager's "
          + "allocator must set it");
    }
    return ipam.configs.get(0).subnet;
  }

  /** An IPv4 literal, written canonically (so nothing else reaches an nft script). */
  static String ipv4(String a) {
    return Ipv4Subnet.toString(Ipv4Subnet.toInt(a.split("/")[0]));
  }

  private static String describe(List<IngressPort> ports) {
    StringBuilder s = new StringBuilder();
    for (IngressPort p : ports) {
      s.append(s.length() == 0 ? "" : ", ").append(p.published()).append('/').append(p.protocol()).append("->")
          .append(p.backends()).append(':').append(p.target());
    }
    return s.toString();
  }
}
