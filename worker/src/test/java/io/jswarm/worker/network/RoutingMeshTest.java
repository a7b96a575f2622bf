package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The routing mesh's two nftables tables: what they say, and that the kernel takes them (loaded, rewritten and
 * removed in a throwaway namespace). The data path end to end is {@code IngressMeshMultiHostTest} in cli.
 */
class RoutingMeshTest {
  private static final List<IngressPort> PORTS = List.of(
      new IngressPort("tcp", 8080, 80, List.of("10.0.0.7", "10.0.0.6", "10.0.0.7")),
      new IngressPort("udp", 30000, 53, List.of("10.0.0.6")),
      new IngressPort("tcp", 30001, 80, List.of()));

  @Test
  void theHostSendsPublishedPortsOnLocalAddressesToTheSandbox() {
    String s = RoutingMesh.hostScript("jsw_ingress", PORTS, "172.18.0.2");
    assertTrue(s.startsWith("table ip jsw_ingress\ndelete table ip jsw_ingress\n"), "atomic rewrite:\n" + s);
    assertTrue(s.contains("tcp dport 8080 dnat to 172.18.0.2:8080\n"), s);
    assertTrue(s.contains("udp dport 30000 dnat to 172.18.0.2:30000\n"), s);
    assertTrue(s.contains("tcp dport 30001 dnat to 172.18.0.2:30001\n"), "refused in the sandbox, not here:\n" + s);
    assertTrue(s.contains("type nat hook prerouting priority -100; policy accept;\n    fib daddr type local jump ports"), s);
    assertTrue(s.contains("type nat hook output priority -100; policy accept;\n    fib daddr type local jump ports"), s);
  }

  @Test
  void theSandboxBalancesOverTheBackendsAndMasqueradesOntoTheIngressNetwork() {
    String s = RoutingMesh.sandboxScript(PORTS, "10.0.0.0/24");
    assertTrue(s.contains("iifname \"eth0\" tcp dport 8080 dnat to numgen random mod 2 map { 0 : 10.0.0.6, 1 : 10.0.0.7 }:80\n"),
        "duplicates dropped, sorted:\n" + s);
    assertTrue(s.contains("iifname \"eth0\" udp dport 30000 dnat to 10.0.0.6:53\n"), s);
    assertTrue(!s.contains("30001"), "no backend, no rule (the sandbox refuses):\n" + s);
    assertTrue(s.contains("ip daddr 10.0.0.0/24 ct status dnat masquerade"), s);
  }

  @Test
  void nothingButIpv4LiteralsReachTheScripts() {
    List<IngressPort> bad = List.of(new IngressPort("tcp", 80, 80, List.of("10.0.0.1; flush ruleset")));
    assertThrows(IllegalArgumentException.class, () -> RoutingMesh.sandboxScript(bad, "10.0.0.0/24"));
    assertThrows(IllegalArgumentException.class, () -> RoutingMesh.hostScript("t", PORTS, "x\" }"));
    assertThrows(IllegalArgumentException.class, () -> new IngressPort("sctp", 80, 80, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new IngressPort("tcp", 0, 80, List.of()));
    assertEquals("10.0.0.6", RoutingMesh.ipv4("10.0.0.006/24"));
  }

  @Test
  void theKernelTakesBothTablesAndTheirRewrites() throws Exception {
    Path dir = Files.createTempDirectory("jswarm-h2-mesh");
    Path ns = dir.resolve("ns");
    try {
      NetNs.create(ns);
      Nftables.run(ns, RoutingMesh.hostScript("jsw_ingress", PORTS, "172.18.0.2"));
      Nftables.run(ns, RoutingMesh.sandboxScript(PORTS, "10.0.0.0/24"));
      Nftables.run(ns, RoutingMesh.sandboxScript(PORTS.subList(0, 1), "10.0.0.0/24"));
      String rules = Nftables.run(ns, "list ruleset");
      assertTrue(rules.contains("numgen random mod 2 map { 0 : 10.0.0.6, 1 : 10.0.0.7 }:80"), rules);
      assertTrue(!rules.contains("10.0.0.6:53"), "rewritten as a whole:\n" + rules);
      assertTrue(rules.contains("dnat to 172.18.0.2:30000"), rules);
    } finally {
      NetNs.delete(ns);
      Files.deleteIfExists(ns);
      Files.deleteIfExists(dir);
    }
  }
}
