package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLocalLeasesTest {
  @TempDir
  Path dir;

  @Test
  void leasesPersistAndAddressesSkipGatewayAndBroadcast() {
    Ipv4Subnet subnet = Ipv4Subnet.parse("10.9.0.77/29"); // 10.9.0.72 - 10.9.0.79
    assertEquals("10.9.0.72/29", subnet.toString());
    Path file = dir.resolve("network/br.leases");
    NodeLocalLeases leases = new NodeLocalLeases(file, subnet);
    int first = leases.freeAddress();
    assertEquals("10.9.0.74", Ipv4Subnet.toString(first));
    leases.put(new NodeLocalLeases.Lease("t1", first, "jv1", "h1", List.of(new HostPort("tcp", 8080, 80),
        new HostPort("udp", 53, 5353))));
    leases.put(new NodeLocalLeases.Lease("t2", leases.freeAddress(), "jv2", "h2", List.of()));

    NodeLocalLeases reloaded = new NodeLocalLeases(file, subnet);
    assertEquals(leases.all(), reloaded.all());
    assertEquals("t1", reloaded.portHolder("udp", 53).orElseThrow());
    assertTrue(reloaded.portHolder("tcp", 53).isEmpty());
    for (int i = 3; i <= 5; i++) {
      reloaded.put(new NodeLocalLeases.Lease("t" + i, reloaded.freeAddress(), "jv" + i, "h", List.of()));
    }
    assertEquals("10.9.0.78", Ipv4Subnet.toString(reloaded.get("t5").orElseThrow().address()));
    IllegalStateException full = assertThrows(IllegalStateException.class, reloaded::freeAddress);
    assertTrue(full.getMessage().contains("no free address left in the task bridge subnet 10.9.0.72/29"),
        full.getMessage());
    reloaded.remove("t2");
    assertEquals("10.9.0.75", Ipv4Subnet.toString(new NodeLocalLeases(file, subnet).freeAddress()));
  }

  @Test
  void corruptFileIsRefusedWithWhatToDo() throws Exception {
    Path file = dir.resolve("br.leases");
    Files.writeString(file, "t1 10.0.0.2\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new NodeLocalLeases(file, Ipv4Subnet.parse("10.0.0.0/24")));
    assertTrue(e.getMessage().contains("fix or remove the file"), e.getMessage());
  }
}
