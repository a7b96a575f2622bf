package io.jswarm.worker.discovery;

import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Rtnetlink;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (the name keeps surefire from running it in CI):
 * {@code mvn -o -pl worker -am test -Dtest=DiscoveryProbe -Dsurefire.failIfNoSpecifiedTests=false}, results in
 * {@code worker/target/surefire-reports/io.jswarm.worker.discovery.DiscoveryProbe-output.txt}.
 */
class DiscoveryProbe {
  @Test
  void measure() throws Exception {
    Path tmp = Files.createTempDirectory("hdns-probe-");
    Path ns = tmp.resolve("hdns-probe");
    NetNs.create(ns);
    try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
      nl.setUp("lo", true);
    }
    ServiceDirectory dir = new ServiceDirectory();
    List<ServiceRecord> services = new ArrayList<>();
    for (int s = 0; s < 50; s++) {
      List<ServiceRecord.TaskEndpoint> tasks = new ArrayList<>();
      for (int t = 0; t < 10; t++) {
        tasks.add(new ServiceRecord.TaskEndpoint("svc" + s + "." + (t + 1) + ".x" + t, "10.1." + s + "." + (t + 10)));
      }
      services.add(new ServiceRecord("id" + s, "svc" + s, List.of(), "10.1." + s + ".2", tasks));
    }
    dir.update("net1", "front", services);
    try (EmbeddedDns dns = new EmbeddedDns(dir)) {
      dns.start(ns, List.of("net1"), List.of());
      int n = 20000;
      long[] lat = NetNs.call(ns, () -> {
        long[] out = new long[n];
        try (DatagramSocket sock = new DatagramSocket(new InetSocketAddress(0))) {
          sock.setSoTimeout(2000);
          byte[] buf = new byte[1500];
          for (int i = 0; i < n; i++) {
            byte[] q = DnsClient.query(i & 0xffff, "tasks.svc" + (i % 50), 1);
            long t0 = System.nanoTime();
            sock.send(new DatagramPacket(q, q.length, EmbeddedDns.DEFAULT_LISTEN));
            sock.receive(new DatagramPacket(buf, buf.length));
            out[i] = System.nanoTime() - t0;
          }
        }
        return out;
      });
      java.util.Arrays.sort(lat);
      long total = 0;
      for (long l : lat) {
        total += l;
      }
      System.out.printf("DNS tasks.<svc> (10 A records), 50 services, one client thread: %d queries, %.0f q/s, p50 %d us, p99 %d us%n",
          n, n / (total / 1e9), lat[n / 2] / 1000, lat[n * 99 / 100] / 1000);
    }
    for (int[] size : new int[][] {{1, 3}, {50, 10}, {500, 10}}) {
      Map<String, List<String>> m = new LinkedHashMap<>();
      for (int s = 0; s < size[0]; s++) {
        List<String> b = new ArrayList<>();
        for (int t = 0; t < size[1]; t++) {
          b.add("10." + (2 + s / 200) + "." + (s % 200) + "." + (t + 10));
        }
        m.put("10." + (2 + s / 200) + "." + (s % 200) + ".2", b);
      }
      int rounds = 50;
      long t0 = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        VipBalancer.apply(ns, m);
      }
      System.out.printf("VipBalancer.apply %d VIPs x %d backends: %.2f ms per rewrite%n", size[0], size[1],
          (System.nanoTime() - t0) / 1e6 / rounds);
    }
    // a directory update reaching 20 containers of one network
    List<Path> containers = new ArrayList<>();
    ServiceDirectory d2 = new ServiceDirectory();
    try (NodeDiscovery discovery = new NodeDiscovery(d2)) {
      for (int i = 0; i < 20; i++) {
        Path c = tmp.resolve("hdns-probe-c" + i);
        NetNs.create(c);
        containers.add(c);
        try (Rtnetlink nl = Rtnetlink.openIn(c)) {
          nl.setUp("lo", true);
        }
        discovery.attach("c" + i, c, List.of("net1"), List.of());
      }
      int updates = 10;
      long u0 = System.nanoTime();
      for (int u = 0; u < updates; u++) {
        List<ServiceRecord> changed = new ArrayList<>(services);
        changed.set(0, new ServiceRecord("id0", "svc0", List.of(), "10.1.0.2",
            services.get(0).tasks().subList(0, 1 + u % 9)));
        d2.update("net1", "front", changed);
      }
      System.out.printf("directory update changing one service's backends, 20 containers: %.1f ms until rules are in%n",
          (System.nanoTime() - u0) / 1e6 / updates);
    } finally {
      for (Path c : containers) {
        NetNs.delete(c);
      }
    }
    int rounds = 50;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      NetNs.call(ns, () -> null);
    }
    System.out.printf("NetNs.call (thread + setns): %.2f ms%n", (System.nanoTime() - t0) / 1e6 / rounds);
    t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      io.jswarm.linux.Nftables.run(ns, "list tables");
    }
    System.out.printf("Nftables.run(ns, list tables): %.2f ms%n", (System.nanoTime() - t0) / 1e6 / rounds);
    NetNs.delete(ns);
    Files.delete(tmp);
  }
}
