package io.jswarm.linux.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.linux.TestNetns;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rate limit's qdiscs and filter as the kernel took them (read back over netlink and, as a check, with tc). */
class TrafficControlTest {
  private TestNetns ns;
  private Rtnetlink nl;

  @BeforeEach
  void setUp() throws Exception {
    ns = new TestNetns("hnet-tc");
    nl = Rtnetlink.openIn(ns.file);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      nl.close();
    } finally {
      ns.close(); // the links, the IFB and the qdiscs go with the namespace
    }
  }

  @Test
  void aLimitShapesEgressAndRedirectsIngressToAShapedIfb() throws Exception {
    nl.createVeth("tcv0", "tcv0p", 1500, -1);
    nl.setUp("tcv0", true);
    TrafficControl tc = new TrafficControl(nl);
    tc.limit("tcv0", 10_000_000);
    assertEquals(List.of("tbf", "ingress"), tc.qdiscs("tcv0").stream().filter(k -> !k.equals("noqueue")).toList());
    assertEquals("ifb-tcv0", TrafficControl.ifbFor("tcv0"));
    assertTrue(nl.link("ifb-tcv0").orElseThrow().up());
    assertEquals(List.of("tbf"), tc.qdiscs("ifb-tcv0"));
    String qdisc = ns.exec("tc", "qdisc", "show", "dev", "tcv0");
    assertTrue(qdisc.contains("qdisc tbf 1: root") && qdisc.contains("rate 10Mbit"), qdisc);
    String filter = ns.exec("tc", "filter", "show", "dev", "tcv0", "ingress");
    assertTrue(filter.contains("u32") && filter.contains("mirred") && filter.contains("ifb-tcv0"), filter);
    assertTrue(ns.exec("tc", "qdisc", "show", "dev", "ifb-tcv0").contains("rate 10Mbit"));

    tc.limit("tcv0", 2_000_000); // a new rate replaces the old one
    assertTrue(ns.exec("tc", "qdisc", "show", "dev", "tcv0").contains("rate 2Mbit"));
    assertTrue(ns.exec("tc", "qdisc", "show", "dev", "ifb-tcv0").contains("rate 2Mbit"));
    String filters = ns.exec("tc", "filter", "show", "dev", "tcv0", "ingress");
    assertEquals(1, filters.split("mirred", -1).length - 1, "one redirect: " + filters);
  }
}
