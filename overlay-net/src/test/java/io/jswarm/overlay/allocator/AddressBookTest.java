package io.jswarm.overlay.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressBookTest {
  private static AddressBook bookWith(String net, String cidr) {
    AddressBook b = new AddressBook();
    Ipv4Prefix p = Ipv4Prefix.parse("subnet", cidr);
    b.addNetwork(net, p, p.base() + 1);
    return b;
  }

  @Test
  void handsOutAddressesSeriallySkippingNetworkGatewayAndBroadcast() {
    AddressBook b = bookWith("n1", "10.0.5.0/24");
    assertEquals("10.0.5.2/24", b.allocate("t1", "n1"));
    assertEquals("10.0.5.3/24", b.allocate("t2", "n1"));
    assertEquals("10.0.5.2/24", b.allocate("t1", "n1"), "one address per owner per network");
    assertEquals(251, b.free("n1"));
    b.release("t1", "n1");
    assertEquals("10.0.5.4/24", b.allocate("t3", "n1"), "a released address is not handed out again at once");
  }

  @Test
  void serialAllocationWrapsToReleasedAddressesOnceTheSubnetIsUsed() {
    AddressBook b = bookWith("n1", "10.0.9.0/29"); // .2-.6
    for (int i = 0; i < 5; i++) {
      b.allocate("t" + i, "n1");
    }
    b.releaseAll("t1"); // .3
    b.releaseAll("t3"); // .5
    assertEquals("10.0.9.3/29", b.allocate("a", "n1"), "wraps to the first free address");
    b.releaseAll("t4"); // .6
    assertEquals("10.0.9.5/29", b.allocate("b", "n1"), "then continues after it, not from the start");
    assertEquals("10.0.9.6/29", b.allocate("c", "n1"));
    assertNull(b.allocate("d", "n1"));
  }

  @Test
  void fullSubnetGivesNullUntilAnAddressIsReleased() {
    AddressBook b = bookWith("n1", "10.0.9.0/29"); // hosts .1-.6, gateway .1: five addresses
    for (int i = 0; i < 5; i++) {
      assertEquals("10.0.9." + (i + 2) + "/29", b.allocate("t" + i, "n1"));
    }
    assertEquals(0, b.free("n1"));
    assertNull(b.allocate("late", "n1"));
    b.releaseAll("t3");
    assertEquals("10.0.9.5/29", b.allocate("late", "n1"));
    assertNull(b.allocate("later", "n1"));
  }

  @Test
  void claimsRebuildTheBookAndRefuseDoubleOwners() {
    AddressBook b = bookWith("n1", "10.0.5.0/24");
    assertTrue(b.claim("t1", "n1", "10.0.5.7/24"));
    assertFalse(b.claim("t2", "n1", "10.0.5.7/24"), "held by t1");
    assertFalse(b.claim("t2", "n1", "10.0.5.1/24"), "the gateway is never handed out");
    assertFalse(b.claim("t2", "n1", "10.0.6.7/24"), "outside the subnet");
    assertFalse(b.claim("t2", "other", "10.0.5.8/24"), "unknown network");
    assertEquals("t1", b.holder("n1", "10.0.5.7/24"));
    assertEquals("10.0.5.8/24", b.allocate("t3", "n1"), "a rebuilt book continues after the highest claim");
  }

  @Test
  void syncMakesHoldingsExactlyWhatTheStoreSays() {
    AddressBook b = bookWith("n1", "10.0.5.0/24");
    Ipv4Prefix p2 = Ipv4Prefix.parse("s", "10.0.6.0/24");
    b.addNetwork("n2", p2, p2.base() + 1);
    b.allocate("svc", "n1");
    b.allocate("svc", "n2");
    Map<String, String> refused = b.sync("svc", Map.of("n2", "10.0.6.9/24"));
    assertTrue(refused.isEmpty());
    assertEquals(Map.of("n2", "10.0.6.9/24"), b.holdings("svc"));
    assertEquals(253, b.free("n1"));
    b.sync("svc", Map.of());
    assertEquals(Map.of(), b.holdings("svc"));
    assertEquals(253, b.free("n2"));
  }

  @Test
  void removingANetworkDropsItsHoldings() {
    AddressBook b = bookWith("n1", "10.0.5.0/24");
    b.allocate("t1", "n1");
    b.removeNetwork("n1");
    assertFalse(b.hasNetwork("n1"));
    assertEquals(Map.of(), b.holdings("t1"));
  }
}
