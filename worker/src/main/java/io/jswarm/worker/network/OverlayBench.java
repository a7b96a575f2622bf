package io.jswarm.worker.network;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark (issue 5 item 7, driver level): iperf3 TCP throughput and ping round trips between two "hosts" (two
 * namespaces joined by a veth underlay) over four paths, alternating, several rounds:
 * <ul>
 *   <li><b>underlay</b>: host to host on the veth;
 *   <li><b>bare vxlan</b>: two namespaces with nothing but a VXLAN device each (made in the host namespace and moved
 *       in, static FDB and neighbour entries, MTU 1450): what the kernel's VXLAN itself costs;
 *   <li><b>bridge+veth</b>: Docker's overlay layout built by hand: a sandbox namespace with a bridge and the VXLAN
 *       device, a veth pair from the bridge into the task namespace (what jswarm used before its macvlan plug);
 *   <li><b>jswarm</b>: two task namespaces plugged into an overlay network by {@link OverlayNetworking} (with the
 *       task bridge of {@link BridgeNetworking} as a real node has it).
 * </ul>
 * Prints each round and the medians of the per-round ratios to the underlay (and jswarm to bare vxlan). Run by
 * {@code jswarm bench overlay [--seconds N] [--rounds N]}; needs iperf3 and ping. Everything it makes lives in a
 * temporary directory and namespaces it removes at the end.
 */
public final class OverlayBench {
  private static final String[] UNDERLAY = {"192.168.232.1", "192.168.232.2"};
  private static volatile boolean boost;

  private OverlayBench() {}

  public static void main(String[] args) throws Exception {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 3, args.length > 1 ? Integer.parseInt(args[1]) : 5,
        args.length > 2 && Boolean.parseBoolean(args[2]), System.out);
  }

  /** One path: where the server and client run, and the server's address. */
  private record Path2(String name, Path serverNs, Path clientNs, String serverIp) {}

  /** {@code rounds} alternating rounds of {@code seconds}-long iperf3 runs; prints each and the medians. */
  public static void run(int seconds, int rounds, java.io.PrintStream out) throws Exception {
    run(seconds, rounds, false, out);
  }

  /**
   * {@link #run(int, int, java.io.PrintStream)}; with {@code boost} iperf3 and ping run at nice -20 in autogroups of
   * their own (setsid; /proc/self/autogroup), so that on a machine busy with other work they get most of the CPU
   * for their few seconds and the ratios measure the paths rather than the neighbours.
   */
  public static void run(int seconds, int rounds, boolean boost, java.io.PrintStream out) throws Exception {
    OverlayBench.boost = boost;
    if (seconds < 1 || rounds < 1) {
      throw new IllegalArgumentException("--seconds and --rounds must be at least 1");
    }
    for (String tool : List.of("iperf3", "ping")) {
      if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
          .noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
        throw new IllegalStateException(tool + " is not installed: apt-get install " + (tool.equals("ping")
            ? "iputils-ping" : tool));
      }
    }
    Path tmp = Files.createTempDirectory("hov-bench-");
    List<Path> namespaces = new ArrayList<>();
    List<CompositeNetworking> nets = new ArrayList<>();
    try {
      Path resolv = tmp.resolve("resolv.conf");
      Files.writeString(resolv, "nameserver 127.0.0.53\n");
      List<Path> hostNs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Path ns = tmp.resolve("host" + i);
        NetNs.create(ns);
        namespaces.add(ns);
        hostNs.add(ns);
        Path exec = tmp.resolve("exec" + i);
        BridgeNetworking bridge = new BridgeNetworking(new BridgeConfig(tmp.resolve("data" + i), exec, "hovbbr",
            "172.31.232.0/24", "hovb", 1500, "bench" + i, ns, resolv));
        nets.add(new CompositeNetworking(bridge,
            new OverlayNetworking(exec, ns, InetAddress.getByName(UNDERLAY[i]), OverlayNetworking.DEFAULT_PORT)));
      }
      try (Rtnetlink a = Rtnetlink.openIn(hostNs.get(0)); Rtnetlink b = Rtnetlink.openIn(hostNs.get(1))) {
        a.setUp("lo", true);
        b.setUp("lo", true);
        int fd = NetNs.openFd(hostNs.get(1));
        try {
          a.createVeth("ul0", "ul0", 1500, fd);
        } finally {
          NetNs.close(fd);
        }
        a.addAddress("ul0", InetAddress.getByName(UNDERLAY[0]), 24);
        b.addAddress("ul0", InetAddress.getByName(UNDERLAY[1]), 24);
        a.setUp("ul0", true);
        b.setUp("ul0", true);
      }
      // bare vxlan: VNI 4301, 10.232.10.0/24
      String[] bare = {"10.232.10.2", "10.232.10.3"};
      List<Path> bareNs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Path ns = tmp.resolve("bare" + i);
        NetNs.create(ns);
        namespaces.add(ns);
        bareNs.add(ns);
        try (Rtnetlink h = Rtnetlink.openIn(hostNs.get(i)); Rtnetlink in = Rtnetlink.openIn(ns)) {
          in.setUp("lo", true);
          String vx = vxlanInto(h, "hovbx0", 4301, i, ns);
          in.setMac(vx, NetworkEndpoints.macOf(bare[i]));
          in.addAddress(vx, InetAddress.getByName(bare[i]), 24);
          in.setUp(vx, true);
          peer(in, vx, bare[1 - i], 1 - i);
        }
      }
      // Docker's layout by hand: sandbox with bridge + VXLAN (VNI 4302), veth into a task namespace, 10.232.11.0/24
      String[] docker = {"10.232.11.2", "10.232.11.3"};
      List<Path> dockerNs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Path sb = tmp.resolve("dsandbox" + i);
        Path task = tmp.resolve("dtask" + i);
        NetNs.create(sb);
        namespaces.add(sb);
        NetNs.create(task);
        namespaces.add(task);
        dockerNs.add(task);
        NetNs.call(sb, () -> {
          for (String k : List.of("iptables", "ip6tables", "arptables")) {
            Path f = Path.of("/proc/sys/net/bridge/bridge-nf-call-" + k);
            if (Files.exists(f)) {
              Files.writeString(f, "0");
            }
          }
          return null;
        });
        try (Rtnetlink h = Rtnetlink.openIn(hostNs.get(i)); Rtnetlink in = Rtnetlink.openIn(sb);
            Rtnetlink t = Rtnetlink.openIn(task)) {
          in.setUp("lo", true);
          t.setUp("lo", true);
          in.createBridge("br0", OverlayNetworking.MTU);
          in.addAddress("br0", InetAddress.getByName("10.232.11.1"), 24);
          in.setUp("br0", true);
          String vx = vxlanInto(h, "hovbx1", 4302, i, sb);
          in.setMaster(vx, "br0");
          in.setUp(vx, true);
          int fd = NetNs.openFd(task);
          try {
            in.createVeth("ovbench", "eth1", OverlayNetworking.MTU, fd, "br0", true);
          } finally {
            NetNs.close(fd);
          }
          t.setMac("eth1", NetworkEndpoints.macOf(docker[i]));
          t.addAddress("eth1", InetAddress.getByName(docker[i]), 24);
          t.setUp("eth1", true);
          peer(in, vx, docker[1 - i], 1 - i);
        }
      }
      // jswarm: VNI 4300, 10.232.9.0/24
      String[] overlay = {"10.232.9.2", "10.232.9.3"};
      List<Sandbox> tasks = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        tasks.add(nets.get(i).create(task("hovbench" + i, overlay[i] + "/24")));
      }
      for (int i = 0; i < 2; i++) {
        int o = 1 - i;
        nets.get(i).overlay().updateEndpoints(true, List.of(new NetworkEndpoints("hovbnet", 4300, true,
            List.of(new NetworkEndpoints.Endpoint("hovbench" + o, overlay[o], NetworkEndpoints.macOf(overlay[o]),
                UNDERLAY[o])), List.of())));
      }
      List<Path2> paths = List.of(
          new Path2("underlay", hostNs.get(1), hostNs.get(0), UNDERLAY[1]),
          new Path2("bare vxlan", bareNs.get(1), bareNs.get(0), bare[1]),
          new Path2("bridge+veth", dockerNs.get(1), dockerNs.get(0), docker[1]),
          new Path2("jswarm", tasks.get(1).netns(), tasks.get(0).netns(), overlay[1]));
      // the machine may be shared: alternate the paths and take the medians of the per-round ratios
      int n = paths.size();
      List<List<Double>> tputRatio = new ArrayList<>();
      List<List<Double>> rttRatio = new ArrayList<>();
      List<List<Double>> tputAbs = new ArrayList<>();
      List<List<Double>> rttAbs = new ArrayList<>();
      for (int k = 0; k <= n; k++) {
        tputRatio.add(new ArrayList<>());
        rttRatio.add(new ArrayList<>());
        tputAbs.add(new ArrayList<>());
        rttAbs.add(new ArrayList<>());
      }
      out.printf("%d rounds of %d s iperf3 + 50 pings per path%s; load average before: %s%n", rounds, seconds,
          boost ? " (boosted: nice -20, own autogroups)" : "", loadAverage());
      for (int round = 0; round < rounds; round++) {
        double[] bps = new double[n];
        double[] rtt = new double[n];
        for (int k = 0; k < n; k++) {
          Path2 p = paths.get(k);
          bps[k] = iperf(p.serverNs(), p.clientNs(), p.serverIp(), seconds);
          rtt[k] = rtt(p.clientNs(), p.serverIp());
        }
        StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
        for (int k = 0; k < n; k++) {
          tputAbs.get(k).add(bps[k] / 1e9);
          rttAbs.get(k).add(rtt[k]);
          tputRatio.get(k).add(bps[k] / bps[0]);
          rttRatio.get(k).add(rtt[k] / rtt[0]);
          line.append(String.format(" %s %.2f Gbit/s %.3f ms", paths.get(k).name(), bps[k] / 1e9, rtt[k]));
          if (k > 0) {
            line.append(String.format(" (%.3f)", bps[k] / bps[0]));
          }
          line.append(k < n - 1 ? ";" : "");
        }
        tputRatio.get(n).add(bps[n - 1] / bps[1]);
        rttRatio.get(n).add(rtt[n - 1] / rtt[1]);
        out.println(line + String.format("; load %s", loadAverage()));
      }
      out.println("medians (TCP throughput, ping round trip; ratio to the underlay):");
      for (int k = 0; k < n; k++) {
        out.printf("  %-12s %6.2f Gbit/s %6.3f ms%s%n", paths.get(k).name(), median(tputAbs.get(k)),
            median(rttAbs.get(k)), k == 0 ? "" : String.format("   throughput ratio %.3f, rtt ratio %.3f",
                median(tputRatio.get(k)), median(rttRatio.get(k))));
      }
      out.printf("  jswarm / bare vxlan: throughput ratio %.3f, rtt ratio %.3f%n", median(tputRatio.get(n)),
          median(rttRatio.get(n)));
      out.printf("median overlay/underlay: TCP throughput ratio %.3f, ping rtt ratio %.3f (goal: throughput >= 0.9)%n",
          median(tputRatio.get(n - 1)), median(rttRatio.get(n - 1)));
      for (int i = 0; i < 2; i++) {
        nets.get(i).release("hovbench" + i);
      }
    } finally {
      for (CompositeNetworking c : nets) {
        c.teardown();
        c.overlay().close();
        c.bridge().close();
      }
      for (Path ns : namespaces) {
        NetNs.delete(ns);
      }
      for (Path m : Mounts.mountsUnder(tmp)) {
        Mounts.unmount(m, true);
      }
      try (Stream<Path> all = Files.walk(tmp)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Makes a VXLAN device ({@code vni}, data path port, source = host {@code i}'s underlay address, learning off, ARP
   * proxy, outer UDP checksum zero as jswarm's, MTU 1450) in the host namespace of {@code h} and moves it into
   * {@code ns}; returns its name.
   */
  private static String vxlanInto(Rtnetlink h, String name, int vni, int i, Path ns) throws Exception {
    h.createVxlan(name, vni, OverlayNetworking.DEFAULT_PORT, InetAddress.getByName(UNDERLAY[i]), false, true, false,
        null, OverlayNetworking.MTU);
    h.setNetns(name, ns);
    return name;
  }

  /** Static entries for the other host's address {@code ip}: neighbour (ip -> MAC) and FDB (MAC -> its underlay). */
  private static void peer(Rtnetlink in, String vx, String ip, int other) throws Exception {
    String mac = NetworkEndpoints.macOf(ip);
    in.addFdb(vx, mac, InetAddress.getByName(UNDERLAY[other]), true);
    in.addNeighbour(vx, InetAddress.getByName(ip), mac, true);
  }

  private static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    int m = v.size() / 2;
    return v.size() % 2 == 1 ? v.get(m) : (v.get(m - 1) + v.get(m)) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /** Bits per second received by an iperf3 server in {@code serverNs} on {@code ip} from a client in {@code clientNs}. */
  private static double iperf(Path serverNs, Path clientNs, String ip, int seconds) throws Exception {
    Process server = NetNs.call(serverNs, () -> new ProcessBuilder(command("iperf3", "-s", "-1", "-B", ip, "-p",
        "25201")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    try {
      Thread.sleep(300);
      Process client = NetNs.call(clientNs, () -> new ProcessBuilder(command("iperf3", "-c", ip, "-p", "25201",
          "-t", Integer.toString(seconds), "-J")).redirectErrorStream(true).start());
      String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      client.waitFor(seconds + 10L, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)")
          .matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("iperf3 gave no result: " + out);
      }
      return Double.parseDouble(m.group(1));
    } finally {
      server.destroyForcibly().waitFor();
    }
  }

  /** Average ping round trip in ms (busybox ping, 50 echoes at 20 ms). */
  private static double rtt(Path ns, String ip) throws Exception {
    Process p = NetNs.call(ns, () -> new ProcessBuilder(command("/bin/busybox", "ping", "-c", "50", "-i", "0.02",
        "-q", ip)).redirectErrorStream(true).start());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("= [0-9.]+/([0-9.]+)/").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("ping gave no round trip: " + out);
    }
    return Double.parseDouble(m.group(1));
  }

  /** {@code cmd}, or with {@link #boost} the same at nice -20 in a session and autogroup of its own. */
  private static List<String> command(String... cmd) {
    if (!boost) {
      return List.of(cmd);
    }
    List<String> c = new ArrayList<>(List.of("setsid", "sh", "-c",
        "echo -20 > /proc/self/autogroup 2>/dev/null; exec nice -n -20 \"$@\"", "sh"));
    c.addAll(List.of(cmd));
    return c;
  }

  private static Task task(String id, String address) {
    Network n = new Network();
    n.id = "hovbnet";
    n.spec = new Network.Spec();
    n.spec.name = "hovbnet";
    n.driverState = new Driver();
    n.driverState.name = "overlay";
    n.driverState.options = Map.of(OverlayNetworking.VXLAN_OPTION, "4300");
    n.ipamOptions = new IPAMOptions();
    IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
    c.subnet = "10.232.9.0/24";
    c.gateway = "10.232.9.1";
    n.ipamOptions.configs = List.of(c);
    Task t = new Task();
    t.id = id;
    t.endpoint = new Endpoint();
    t.endpoint.ports = List.of();
    NetworkAttachment a = new NetworkAttachment();
    a.network = n;
    a.addresses = List.of(address);
    t.networksAttachments = List.of(a);
    return t;
  }
}
