package io.jswarm.worker.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import io.jswarm.linux.netlink.Rtnetlink;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded DNS in throwaway network namespaces: the server's sockets are opened inside the "container"
 * namespace at 127.0.0.11:53, the client asks from inside it, and names that are not services go to a fake
 * upstream on another loopback address of the same namespace.
 */
class EmbeddedDnsTest {
  static final InetSocketAddress DNS = EmbeddedDns.DEFAULT_LISTEN;
  private Path tmp;
  private Path ns;
  private ServiceDirectory directory;
  private EmbeddedDns dns;
  private FakeUpstream upstream;
  private final List<Path> namespaces = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("hdns-dns-");
    ns = newNamespace("hdns-c1");
    directory = new ServiceDirectory();
    directory.update("net1", "front", List.of(
        new ServiceRecord("s-web", "web", List.of("www"), "10.0.1.2", List.of(
            new ServiceRecord.TaskEndpoint("web.1.aaa", "10.0.1.3"),
            new ServiceRecord.TaskEndpoint("web.2.bbb", "10.0.1.4"))),
        new ServiceRecord("s-rr", "rr", List.of(), null, List.of(
            new ServiceRecord.TaskEndpoint("rr.1.ccc", "10.0.1.5"),
            new ServiceRecord.TaskEndpoint("rr.2.ddd", "10.0.1.6")))));
    directory.update("net2", "back", List.of(
        new ServiceRecord("s-db", "db", List.of(), "10.0.2.2", List.of(new ServiceRecord.TaskEndpoint("db.1.eee", "10.0.2.3")))));
    dns = new EmbeddedDns(directory);
    upstream = new FakeUpstream(ns, new InetSocketAddress(InetAddress.getByName("127.0.0.53"), 5353));
  }

  /** A node without containers on a network has no DNS thread (docs/footprint.md); the first endpoint starts it. */
  @Test
  void theLoopThreadStartsWithTheFirstEndpointAndEndsAtClose() throws Exception {
    long before = dnsThreads();
    EmbeddedDns idle = new EmbeddedDns(directory);
    try {
      assertEquals(before, dnsThreads(), "a DNS thread before any endpoint");
      idle.start(ns, List.of("net1"), List.of(upstream.address));
      assertEquals(before + 1, dnsThreads());
    } finally {
      idle.close();
    }
    assertEquals(before, dnsThreads(), "the DNS thread outlived close");
    new EmbeddedDns(directory).close(); // closing one that never started does not wait for its thread
  }

  private static long dnsThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jswarm-dns") && t.isAlive())
        .count();
  }

  private Path newNamespace(String name) {
    Path p = tmp.resolve(name);
    NetNs.create(p);
    namespaces.add(p);
    try (Rtnetlink nl = Rtnetlink.openIn(p)) {
      nl.setUp("lo", true);
    }
    return p;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (dns != null) {
      dns.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    for (Path p : namespaces) {
      NetNs.delete(p);
    }
    List<Path> mounts = Mounts.mountsUnder(tmp);
    for (Path m : mounts) {
      Mounts.unmount(m, true);
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    assertTrue(mounts.isEmpty(), "mounts left: " + mounts);
  }

  private static Set<String> set(List<String> l) {
    return new TreeSet<>(l);
  }

  @Test
  void answersServiceTaskAndNetworkQualifiedNamesOfAttachedNetworksOnly() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));

    DnsClient.Response web = DnsClient.udp(ns, DNS, "web");
    assertEquals(0, web.rcode());
    assertEquals(List.of("10.0.1.2"), web.addresses(), "vip mode: the VIP");
    assertEquals(List.of(0), web.ttls(), "TTL 0");
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "web.front").addresses());
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "WEB.Front.").addresses(), "case and trailing dot");
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "www").addresses(), "network alias");
    assertEquals(Set.of("10.0.1.3", "10.0.1.4"), set(DnsClient.udp(ns, DNS, "tasks.web").addresses()));
    assertEquals(Set.of("10.0.1.3", "10.0.1.4"), set(DnsClient.udp(ns, DNS, "tasks.web.front").addresses()));
    assertEquals(List.of("10.0.1.4"), DnsClient.udp(ns, DNS, "web.2.bbb").addresses(), "task name");
    assertEquals(List.of("10.0.1.4"), DnsClient.udp(ns, DNS, "web.2.bbb.front").addresses());
    assertEquals(Set.of("10.0.1.5", "10.0.1.6"), set(DnsClient.udp(ns, DNS, "rr").addresses()), "dnsrr: every task");
    assertEquals(Set.of("10.0.1.5", "10.0.1.6"), set(DnsClient.udp(ns, DNS, "tasks.rr").addresses()));
    assertTrue(upstream.asked.isEmpty(), "service names never leave the node: " + upstream.asked);

    // AAAA for a service name: the name exists, no IPv6 records
    DnsClient.Response aaaa = DnsClient.udp(ns, DNS, DnsClient.query(7, "web", 28), 3000);
    assertEquals(0, aaaa.rcode());
    assertEquals(7, aaaa.id());
    assertTrue(aaaa.addresses().isEmpty());

    // a service of a network the container is not attached to is not ours: forwarded
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.udp(ns, DNS, "db").addresses());
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.udp(ns, DNS, "db.back").addresses());
    DnsClient.Response other = DnsClient.udp(ns, DNS, DnsClient.query(0x4242, "example.org", 1), 3000);
    assertEquals(0x4242, other.id(), "the client's id is given back");
    assertEquals(List.of(FakeUpstream.ADDRESS), other.addresses());
    assertEquals(List.of(300), other.ttls(), "upstream answers pass unchanged");
    assertEquals(List.of("db", "db.back", "example.org"), upstream.asked);
  }

  @Test
  void directoryChangesAreVisibleToTheNextQuery() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    assertEquals(2, DnsClient.udp(ns, DNS, "tasks.web").addresses().size());
    directory.update("net1", "front", List.of(
        new ServiceRecord("s-web", "web", List.of(), "10.0.1.2", List.of(new ServiceRecord.TaskEndpoint("web.1.aaa", "10.0.1.3")))));
    assertEquals(List.of("10.0.1.3"), DnsClient.udp(ns, DNS, "tasks.web").addresses());
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.udp(ns, DNS, "web.2.bbb").addresses(), "removed task: not ours any more");
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.udp(ns, DNS, "rr").addresses(), "removed service");
    directory.update("net1", "front", List.of(new ServiceRecord("s-web", "web", List.of(), "10.0.1.2", List.of())));
    DnsClient.Response none = DnsClient.udp(ns, DNS, "tasks.web");
    assertEquals(0, none.rcode());
    assertTrue(none.addresses().isEmpty(), "known service without running tasks: no addresses");
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "web").addresses(), "the VIP stays");
    directory.remove("net1");
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.udp(ns, DNS, "web").addresses());
  }

  @Test
  void malformedPacketsAreDroppedAndTheServerKeepsAnswering() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    byte[] valid = DnsClient.query(1, "web", 1);
    byte[] response = valid.clone();
    response[2] |= (byte) 0x80; // QR: a response, not a query
    byte[] pointer = DnsClient.query(2, "web", 1);
    pointer[12] = (byte) 0xC0; // a compression pointer in the question
    byte[] twoQuestions = DnsClient.query(3, "web", 1);
    twoQuestions[5] = 2;
    byte[] random = new byte[100];
    ThreadLocalRandom.current().nextBytes(random);
    random[4] = 0;
    random[5] = 5;
    List<byte[]> bad = List.of(new byte[0], new byte[] {1, 2, 3}, response, pointer, twoQuestions,
        java.util.Arrays.copyOf(valid, valid.length - 2), random);
    for (byte[] b : bad) {
      assertNull(DnsClient.udp(ns, DNS, b, 300), "no answer to a malformed packet of " + b.length + " bytes");
    }
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "web").addresses());
    assertTrue(upstream.asked.isEmpty(), "malformed packets are not forwarded either");
  }

  @Test
  void forwardingTriesTheNextUpstreamAndAnswersServfailWithoutOne() throws Exception {
    InetSocketAddress dead = new InetSocketAddress(InetAddress.getByName("127.0.0.54"), 53);
    dns.start(ns, List.of("net1"), List.of(dead, upstream.address));
    long t0 = System.nanoTime();
    DnsClient.Response r = DnsClient.udp(ns, DNS, DnsClient.query(9, "example.org", 1), 5000);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertNotNull(r);
    assertEquals(List.of(FakeUpstream.ADDRESS), r.addresses());
    assertTrue(ms >= EmbeddedDns.UPSTREAM_TIMEOUT_MS - 200, "waited for the first upstream: " + ms + " ms");

    Path ns2 = newNamespace("hdns-c2");
    dns.start(ns2, List.of("net1"), List.of());
    DnsClient.Response servfail = DnsClient.udp(ns2, DNS, DnsClient.query(10, "example.org", 1), 3000);
    assertEquals(2, servfail.rcode(), "SERVFAIL without upstreams");
    assertEquals(10, servfail.id());
  }

  @Test
  void largeAnswersAreTruncatedOverUdpAndCompleteOverTcp() throws Exception {
    List<ServiceRecord.TaskEndpoint> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(new ServiceRecord.TaskEndpoint("big." + (i + 1) + ".t" + i, "10.0.3." + (i + 10)));
    }
    directory.update("net3", "wide", List.of(new ServiceRecord("s-big", "big", List.of(), "10.0.3.2", many)));
    dns.start(ns, List.of("net3"), List.of(upstream.address));
    DnsClient.Response udp = DnsClient.udp(ns, DNS, "tasks.big");
    assertTrue(udp.truncated(), "TC set");
    assertTrue(udp.size() <= 512, "UDP answer of " + udp.size() + " bytes");
    assertTrue(udp.addresses().size() > 20 && udp.addresses().size() < 40, "as many as fit: " + udp.addresses().size());
    DnsClient.Response tcp = DnsClient.tcp(ns, DNS, "tasks.big");
    assertFalse(tcp.truncated());
    assertEquals(40, set(tcp.addresses()).size());
    assertEquals(List.of(FakeUpstream.ADDRESS), DnsClient.tcp(ns, DNS, "example.org").addresses(), "forwarded over TCP");
    assertEquals(List.of("example.org"), upstream.asked);
  }

  @Test
  void eachNamespaceHasItsOwnServerAndCloseFreesTheAddress() throws Exception {
    Path ns2 = newNamespace("hdns-c2");
    EmbeddedDns.Endpoint e1 = dns.start(ns, List.of("net1"), List.of(upstream.address));
    dns.start(ns2, List.of("net2"), List.of());
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "web").addresses());
    assertEquals(List.of("10.0.2.2"), DnsClient.udp(ns2, DNS, "db").addresses());
    assertEquals(2, DnsClient.udp(ns2, DNS, "web").rcode(), "web is not on net2 and ns2 has no upstream");
    IOException taken = assertThrows(IOException.class, () -> dns.start(ns, List.of("net1"), List.of()));
    assertTrue(taken.getMessage().contains("127.0.0.11:53") && taken.getMessage().contains("already running"),
        taken.getMessage());

    e1.close();
    assertFalse(Nftables.run(ns, "list tables").contains(EmbeddedDns.REDIRECT_TABLE), "redirect removed");
    assertNull(DnsClient.udp(ns, DNS, DnsClient.query(1, "web", 1), 300), "closed: no answer");
    NetNs.call(ns, () -> {
      try (DatagramSocket s = new DatagramSocket(DNS)) {
        return s.getLocalSocketAddress();
      }
    });
    dns.start(ns, List.of("net2"), List.of());
    assertEquals(List.of("10.0.2.2"), DnsClient.udp(ns, DNS, "db").addresses(), "started again");
  }

  @Test
  void theContainerMayBindPort53ItselfWhileTheServerAnswers() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    NetNs.call(ns, () -> {
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(53));
          ServerSocket tcp = new ServerSocket(53)) {
        assertEquals(List.of("10.0.1.2"), DnsClient.udp(ns, DNS, "web").addresses(), "over UDP");
        assertEquals(List.of("10.0.1.2"), DnsClient.tcp(ns, DNS, "web").addresses(), "over TCP");
      }
      return null;
    });
  }

  @Test
  void closingAfterTheNamespaceFileWasRemovedStillClosesTheSockets() throws Exception {
    Path ns2 = newNamespace("hdns-c2");
    EmbeddedDns.Endpoint e = dns.start(ns2, List.of("net1"), List.of());
    NetNs.delete(ns2);
    namespaces.remove(ns2);
    e.close(); // the redirect table cannot be reached any more; the sockets are closed anyway
    Path again = newNamespace("hdns-c2");
    assertEquals(List.of("10.0.1.2"), DnsClient.udp(again, DNS,
        dns.start(again, List.of("net1"), List.of()) == null ? "" : "web").addresses(), "a new server for the same path");
  }

  @Test
  void busyboxNslookupResolvesThroughIt() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    String out = NetNs.call(ns, () -> {
      Process p = new ProcessBuilder("/bin/busybox", "nslookup", "-type=a", "tasks.web", "127.0.0.11")
          .redirectErrorStream(true).start();
      try {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "nslookup finished");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } finally {
        p.destroyForcibly();
      }
    });
    assertTrue(out.contains("10.0.1.3") && out.contains("10.0.1.4"), out);
  }

  @Test
  void reverseLookupsOfTaskAddressesAndVipsAreAnswered() throws Exception {
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    assertTrue(nslookup("10.0.1.4").contains("web.2.bbb.front"), "task address");
    assertTrue(nslookup("10.0.1.2").contains("web.front"), "VIP");
    assertTrue(upstream.asked.isEmpty(), "answered locally: " + upstream.asked);
    DnsClient.udp(ns, DNS, DnsClient.query(3, "9.9.0.10.in-addr.arpa", 12), 3000);
    assertEquals(List.of("9.9.0.10.in-addr.arpa"), upstream.asked, "unknown addresses are forwarded");
  }

  private String nslookup(String name) {
    return NetNs.call(ns, () -> {
      Process p = new ProcessBuilder("/bin/busybox", "nslookup", name, "127.0.0.11").redirectErrorStream(true).start();
      try {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "nslookup finished");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } finally {
        p.destroyForcibly();
      }
    });
  }

  @Test
  void ignoresDatagramsFromOtherNamespaces() throws Exception {
    // the server is only in ns: the same address in another namespace has nobody listening
    Path ns2 = newNamespace("hdns-c2");
    dns.start(ns, List.of("net1"), List.of(upstream.address));
    Boolean answered = NetNs.call(ns2, () -> {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(0))) {
        s.setSoTimeout(300);
        byte[] q = DnsClient.query(5, "web", 1);
        s.send(new DatagramPacket(q, q.length, DNS));
        s.receive(new DatagramPacket(new byte[512], 512));
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    assertFalse(answered);
  }
}
