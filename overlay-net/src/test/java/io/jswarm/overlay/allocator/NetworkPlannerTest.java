package io.jswarm.overlay.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkPlannerTest {
  private final List<Network> existing = new ArrayList<>();

  private Network add(String name, String subnet, String vni) {
    Network.Spec spec = spec(name, subnet, null, vni);
    NetworkPlanner.Plan plan = NetworkPlanner.plan(spec, existing, null, null);
    Network n = new Network();
    n.id = "id-" + name;
    n.spec = spec;
    NetworkPlanner.apply(n, plan);
    existing.add(n);
    return n;
  }

  private static Network.Spec spec(String name, String subnet, String gateway, String vni) {
    Network.Spec s = new Network.Spec();
    s.name = name;
    if (subnet != null || gateway != null) {
      IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
      c.subnet = subnet;
      c.gateway = gateway;
      s.ipamOptions = new IPAMOptions();
      s.ipamOptions.configs = List.of(c);
    }
    if (vni != null) {
      s.driverConfiguration = new Driver();
      s.driverConfiguration.options = Map.of(NetworkPlanner.VXLAN_OPTION, vni);
    }
    return s;
  }

  @Test
  void carvesConsecutiveSlash24sFromTheDefaultPoolWithGatewayDotOneAndVnisFrom4096() {
    Network a = add("a", null, null);
    Network b = add("b", null, null);
    assertEquals("10.0.0.0/24", NetworkPlanner.subnetOf(a).toString());
    assertEquals("10.0.0.1", a.ipamOptions.configs.get(0).gateway);
    assertEquals(4096L, NetworkPlanner.vniOf(a));
    assertEquals("10.0.1.0/24", NetworkPlanner.subnetOf(b).toString());
    assertEquals(4097L, NetworkPlanner.vniOf(b));
    assertEquals("4097", b.driverState.options.get(NetworkPlanner.VXLAN_OPTION));
    assertEquals("overlay", b.driverState.name);
  }

  @Test
  void carvingSkipsSubnetsTakenByExplicitOnes() {
    add("big", "10.0.0.0/23", null);
    add("c", "10.0.3.0/24", null);
    assertEquals("10.0.2.0/24", NetworkPlanner.subnetOf(add("d", null, null)).toString());
    assertEquals("10.0.4.0/24", NetworkPlanner.subnetOf(add("e", null, null)).toString());
  }

  @Test
  void overlappingSubnetIsRefusedNamingTheOtherNetwork() {
    add("a", "10.0.5.0/24", null);
    ConflictException e = assertThrows(ConflictException.class,
        () -> NetworkPlanner.plan(spec("b", "10.0.0.0/16", null, null), existing, null, null));
    assertTrue(e.getMessage().contains("overlaps the subnet 10.0.5.0/24 of network \"a\""), e.getMessage());
  }

  @Test
  void duplicateVniIsRefusedAndFreeOnesAreChosenAroundTakenOnes() {
    add("a", null, "4097");
    ConflictException e = assertThrows(ConflictException.class,
        () -> NetworkPlanner.plan(spec("b", null, null, "4097"), existing, null, null));
    assertTrue(e.getMessage().contains("VXLAN id 4097 is already used by network \"a\""), e.getMessage());
    assertEquals(4096L, NetworkPlanner.vniOf(add("b", null, null)));
    assertEquals(4098L, NetworkPlanner.vniOf(add("c", null, null)));
  }

  @Test
  void malformedInputsNameTheirField() {
    assertField("IPAM.Config.Subnet", spec("x", "10.0.5.1/24", null, null));
    assertField("IPAM.Config.Subnet", spec("x", "10.0.5.0", null, null));
    assertField("IPAM.Config.Gateway", spec("x", "10.0.5.0/24", "10.0.6.1", null));
    assertField("IPAM.Config.Gateway", spec("x", "10.0.5.0/24", "10.0.5.255", null));
    assertField(NetworkPlanner.VXLAN_OPTION, spec("x", null, null, "abc"));
    assertField(NetworkPlanner.VXLAN_OPTION, spec("x", null, null, "16777216"));
  }

  @Test
  void explicitGatewayIsKept() {
    Network.Spec s = spec("g", "192.168.7.0/24", "192.168.7.254", null);
    NetworkPlanner.Plan p = NetworkPlanner.plan(s, existing, null, null);
    assertEquals("192.168.7.254", Ipv4Prefix.format(p.gateway()));
  }

  @Test
  void customPoolAndSubnetSizeAreUsedAndAFullPoolIsAClearError() {
    List<String> pool = List.of("172.20.0.0/24");
    NetworkPlanner.Plan p = NetworkPlanner.plan(spec("a", null, null, null), existing, pool, 26L);
    assertEquals("172.20.0.0/26", p.subnet().toString());
    for (int i = 0; i < 4; i++) {
      Network n = new Network();
      n.id = "n" + i;
      n.spec = spec("n" + i, null, null, null);
      NetworkPlanner.apply(n, NetworkPlanner.plan(n.spec, existing, pool, 26L));
      existing.add(n);
    }
    ConflictException e = assertThrows(ConflictException.class,
        () -> NetworkPlanner.plan(spec("z", null, null, null), existing, pool, 26L));
    assertTrue(e.getMessage().contains("no free /26 subnet"), e.getMessage());
  }

  @Test
  void poolValidation() {
    NetworkPlanner.validatePools(List.of("10.10.0.0/16", "10.20.0.0/16"), 24L);
    assertField("DefaultAddrPool", () -> NetworkPlanner.validatePools(List.of("10.10.0.0/16", "10.10.5.0/24"), 24L));
    assertField("DefaultAddrPool", () -> NetworkPlanner.validatePools(List.of("300.0.0.0/8"), 24L));
    assertField("SubnetSize", () -> NetworkPlanner.validatePools(List.of("10.10.0.0/16"), 8L));
    assertField("SubnetSize", () -> NetworkPlanner.validatePools(null, 31L));
  }

  private void assertField(String field, Network.Spec s) {
    assertField(field, () -> NetworkPlanner.plan(s, existing, null, null));
  }

  private static void assertField(String field, Runnable r) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
