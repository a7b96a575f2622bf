package io.jswarm.linux.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.linux.Errno;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.TestNetns;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every test works in a throwaway namespace; removing it removes every link the test made. */
class RtnetlinkTest {
  private TestNetns ns;
  private Rtnetlink nl;

  @BeforeEach
  void setUp() throws Exception {
    ns = new TestNetns("hnet-rt");
    nl = Rtnetlink.openIn(ns.file);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      nl.close();
    } finally {
      ns.close();
    }
  }

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void bridgeVethMasterMtuUpAndDump() throws Exception {
    nl.createBridge("hnetbr0", 1400);
    nl.createVeth("hnetv0", "hnetv0p", 1400, -1);
    nl.setMaster("hnetv0", "hnetbr0");
    nl.setMtu("hnetv0p", 1300);
    nl.setUp("hnetbr0", true);
    nl.setUp("hnetv0", true);
    Link br = nl.link("hnetbr0").orElseThrow();
    Link v = nl.link("hnetv0").orElseThrow();
    assertEquals("bridge", br.kind());
    assertEquals("veth", v.kind());
    assertEquals(br.index(), v.master());
    assertTrue(v.up());
    assertEquals(1300, nl.link("hnetv0p").orElseThrow().mtu());
    assertTrue(nl.links().stream().anyMatch(l -> l.name().equals("hnetv0p")));
    String ipOut = ns.exec("ip", "-o", "link", "show", "hnetv0");
    assertTrue(ipOut.contains("master hnetbr0"), ipOut);
    nl.setMaster("hnetv0", null);
    assertEquals(0, nl.link("hnetv0").orElseThrow().master());
    nl.setUp("hnetv0", false);
    assertFalse(nl.link("hnetv0").orElseThrow().up());

    // a static entry in the bridge's FDB for a MAC behind a port
    nl.setMaster("hnetv0", "hnetbr0");
    nl.addFdb("hnetv0", "02:42:0a:00:01:07", null, false, true);
    assertTrue(nl.fdb().stream().anyMatch(f -> "02:42:0a:00:01:07".equals(f.mac()) && f.index() == v.index()
        && f.master() == br.index() && f.permanent()), nl.fdb().toString());
    String brFdb = ns.exec("bridge", "fdb", "show", "br", "hnetbr0");
    assertTrue(brFdb.contains("02:42:0a:00:01:07 dev hnetv0 master hnetbr0 permanent"), brFdb);
    nl.deleteFdb("hnetv0", "02:42:0a:00:01:07", null, true);
    assertFalse(nl.fdb().stream().anyMatch(f -> "02:42:0a:00:01:07".equals(f.mac())));
    nl.setMaster("hnetv0", null);
    nl.rename("hnetv0p", "hnetv0q");
    assertTrue(nl.link("hnetv0q").isPresent());
    assertTrue(nl.link("hnetv0p").isEmpty());
    nl.deleteLink("hnetv0");
    assertTrue(nl.link("hnetv0q").isEmpty(), "deleting one end of a veth removes both");
    assertFalse(nl.deleteLinkIfExists("hnetv0"));
  }

  @Test
  void creatingAnExistingLinkFailsWithEexist() {
    nl.createBridge("hnetbr1", 0);
    LinuxException e = assertThrows(LinuxException.class, () -> nl.createBridge("hnetbr1", 0));
    assertEquals(Errno.EEXIST, e.errno());
    assertTrue(e.getMessage().contains("RTM_NEWLINK") && e.getMessage().contains("hnetbr1")
        && e.getMessage().contains("EEXIST"), e.getMessage());
    LinuxException missing = assertThrows(LinuxException.class, () -> nl.setUp("hnetnope", true));
    assertEquals(Errno.ENODEV, missing.errno());
    LinuxException badDelete = assertThrows(LinuxException.class, () -> nl.deleteLink("hnetnope"));
    assertEquals(Errno.ENODEV, badDelete.errno());
  }

  @Test
  void kernelExtendedAckTextIsInTheMessage() {
    LinuxException e = assertThrows(LinuxException.class,
        () -> nl.createVxlan("hnetvxbad", 1 << 24, 4789, null, false, null, 0));
    assertEquals(34 /* ERANGE */, e.errno());
    assertTrue(e.getMessage().contains("ERANGE") && e.getMessage().contains("VXLAN ID"), e.getMessage());
  }

  @Test
  void vxlanWithVniPortLocalAndDev() throws Exception {
    nl.createBridge("hnetul", 0);
    nl.addAddress("hnetul", ip("10.238.0.1"), 24);
    nl.createVxlan("hnetvx", 4242, 4789, ip("10.238.0.1"), false, "hnetul", 1450);
    Link vx = nl.link("hnetvx").orElseThrow();
    assertEquals("vxlan", vx.kind());
    assertEquals(4242, vx.vxlanId());
    assertEquals(1450, vx.mtu());
    String detail = ns.exec("ip", "-d", "-o", "link", "show", "hnetvx");
    assertTrue(detail.contains("vxlan id 4242"), detail);
    assertTrue(detail.contains("local 10.238.0.1"), detail);
    assertTrue(detail.contains("dev hnetul"), detail);
    assertTrue(detail.contains("dstport 4789"), detail);
    assertTrue(detail.contains("nolearning"), detail);

    // FDB: remote VTEP for a MAC, on the vxlan device itself
    nl.setUp("hnetvx", true);
    nl.addFdb("hnetvx", "02:42:0a:00:00:05", ip("10.238.0.7"), false);
    assertThrows(LinuxException.class, () -> nl.addFdb("hnetvx", "02:42:0a:00:00:05", ip("10.238.0.7"), false));
    nl.addFdb("hnetvx", "02:42:0a:00:00:05", ip("10.238.0.8"), true);
    assertTrue(nl.fdb().stream().anyMatch(f -> f.bridge() && f.index() == vx.index()
        && "02:42:0a:00:00:05".equals(f.mac()) && ip("10.238.0.8").equals(f.dst()) && f.permanent()));
    String fdb = ns.exec("bridge", "fdb", "show", "dev", "hnetvx");
    assertTrue(fdb.contains("02:42:0a:00:00:05 dst 10.238.0.8 self permanent"), fdb);
    nl.deleteFdb("hnetvx", "02:42:0a:00:00:05", ip("10.238.0.8"));
    assertFalse(nl.fdb().stream().anyMatch(f -> "02:42:0a:00:00:05".equals(f.mac())));

    // neighbour entries
    nl.addNeighbour("hnetvx", ip("10.77.0.5"), "02:42:0a:4d:00:05", false);
    LinuxException dup = assertThrows(LinuxException.class,
        () -> nl.addNeighbour("hnetvx", ip("10.77.0.5"), "02:42:0a:4d:00:05", false));
    assertEquals(Errno.EEXIST, dup.errno());
    nl.addNeighbour("hnetvx", ip("10.77.0.5"), "02:42:0a:4d:00:06", true);
    assertTrue(nl.neighbours().stream().anyMatch(n -> ip("10.77.0.5").equals(n.dst())
        && "02:42:0a:4d:00:06".equals(n.mac()) && n.permanent()));
    assertTrue(ns.exec("ip", "neigh", "show", "dev", "hnetvx").contains("10.77.0.5 lladdr 02:42:0a:4d:00:06 PERMANENT"));
    nl.deleteNeighbour("hnetvx", ip("10.77.0.5"));
    assertFalse(nl.neighbours().stream().anyMatch(n -> ip("10.77.0.5").equals(n.dst())));
    LinuxException gone = assertThrows(LinuxException.class, () -> nl.deleteNeighbour("hnetvx", ip("10.77.0.5")));
    assertEquals(Errno.ENOENT, gone.errno());
  }

  @Test
  void addressesAndRoutes() throws Exception {
    nl.createBridge("hnetbr2", 0);
    nl.setUp("hnetbr2", true);
    nl.addAddress("hnetbr2", ip("10.66.0.1"), 24);
    int index = nl.linkIndex("hnetbr2");
    assertTrue(nl.addresses().stream().anyMatch(a -> a.index() == index && a.cidr().equals("10.66.0.1/24")));
    LinuxException dup = assertThrows(LinuxException.class, () -> nl.addAddress("hnetbr2", ip("10.66.0.1"), 24));
    assertEquals(Errno.EEXIST, dup.errno());

    nl.addRoute(ip("10.67.0.0"), 16, ip("10.66.0.9"), null, false);
    nl.addDefaultRoute(ip("10.66.0.254"), "hnetbr2");
    nl.addRoute(ip("10.68.0.0"), 24, null, "hnetbr2", false);
    String routes = ns.exec("ip", "route");
    assertTrue(routes.contains("10.67.0.0/16 via 10.66.0.9 dev hnetbr2"), routes);
    assertTrue(routes.contains("default via 10.66.0.254 dev hnetbr2"), routes);
    assertTrue(routes.contains("10.68.0.0/24 dev hnetbr2"), routes);
    assertTrue(nl.routes().stream().anyMatch(r -> r.isDefault() && ip("10.66.0.254").equals(r.gateway())
        && r.oif() == index && r.table() == Route.TABLE_MAIN));
    LinuxException unreachable = assertThrows(LinuxException.class,
        () -> nl.addRoute(ip("10.69.0.0"), 16, ip("10.99.0.1"), null, false));
    assertEquals(Errno.ENETUNREACH, unreachable.errno());

    nl.deleteRoute(ip("10.67.0.0"), 16, ip("10.66.0.9"), null);
    nl.deleteRoute(null, 0, ip("10.66.0.254"), "hnetbr2");
    routes = ns.exec("ip", "route");
    assertFalse(routes.contains("10.67.0.0/16"), routes);
    assertFalse(routes.contains("default"), routes);
    LinuxException noRoute = assertThrows(LinuxException.class, () -> nl.deleteRoute(ip("10.67.0.0"), 16, null, null));
    assertEquals(Errno.ESRCH, noRoute.errno());

    nl.deleteAddress("hnetbr2", ip("10.66.0.1"), 24);
    assertFalse(nl.addresses().stream().anyMatch(a -> a.cidr().equals("10.66.0.1/24")));
  }

  @Test
  void vethPeerCreatedInAnotherNamespaceAndMoved() throws Exception {
    try (TestNetns other = new TestNetns("hnet-rt-other"); Rtnetlink inOther = Rtnetlink.openIn(other.file)) {
      nl.createBridge("hnetbr3", 0);
      int fd = NetNs.openFd(other.file);
      try {
        nl.createVeth("hnetv1", "eth0", 1450, fd, "hnetbr3", true);
      } finally {
        NetNs.close(fd);
      }
      Link v1 = nl.link("hnetv1").orElseThrow();
      assertEquals(nl.linkIndex("hnetbr3"), v1.master());
      assertTrue(v1.up());
      assertTrue(nl.link("eth0").isEmpty());
      assertEquals(1450, inOther.link("eth0").orElseThrow().mtu());
      nl.createVeth("hnetv2", "hnetv2p", 0, -1);
      nl.setNetns("hnetv2p", other.file);
      assertTrue(nl.link("hnetv2p").isEmpty());
      assertTrue(inOther.link("hnetv2p").isPresent());
      assertTrue(other.exec("ip", "-o", "link").contains("hnetv2p"));
    }
  }

  @Test
  void macvlanInBridgeModeCreatedInAnotherNamespaceOnALowerDeviceHere() throws Exception {
    try (TestNetns other = new TestNetns("hnet-rt-mv"); Rtnetlink inOther = Rtnetlink.openIn(other.file)) {
      nl.createVxlan("hnetvx9", 4249, 4800, null, false, true, false, null, 1450);
      nl.setUp("hnetvx9", true);
      String vxDetail = ns.exec("ip", "-d", "-o", "link", "show", "hnetvx9");
      assertTrue(vxDetail.contains("proxy") && vxDetail.contains("noudpcsum"), vxDetail);
      int fd = NetNs.openFd(other.file);
      try {
        nl.createMacvlan("eth1", "hnetvx9", "02:42:0a:00:09:02", 1450, fd, true);
        // the name is taken there, not here: a second one with the same name here is fine
        nl.createMacvlan("eth1", "hnetvx9", null, 0, -1, false);
      } finally {
        NetNs.close(fd);
      }
      Link mv = inOther.link("eth1").orElseThrow();
      assertEquals("macvlan", mv.kind());
      assertEquals("02:42:0a:00:09:02", mv.mac());
      assertEquals(1450, mv.mtu());
      assertTrue(mv.up());
      String detail = other.exec("ip", "-d", "-o", "link", "show", "eth1");
      assertTrue(detail.contains("macvlan mode bridge"), detail);
      assertEquals("macvlan", nl.link("eth1").orElseThrow().kind());
      assertFalse(nl.link("eth1").orElseThrow().up());
      LinuxException e = assertThrows(LinuxException.class,
          () -> nl.createMacvlan("hnetmv2", "hnetnone", null, 0, -1, false));
      assertEquals(Errno.ENODEV, e.errno());
      // the lower device takes its macvlans with it, in every namespace
      nl.deleteLink("hnetvx9");
      assertTrue(inOther.link("eth1").isEmpty());
      assertTrue(nl.link("eth1").isEmpty());
    }
  }
}
