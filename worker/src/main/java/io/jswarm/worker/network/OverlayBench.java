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
 * Benchmark (issue 5 item 7, driver level): iperf3 TCP throughput and ping round trips between two task namespaces
 * over the overlay (VXLAN through {@link OverlayNetworking} on two "hosts" joined by a veth underlay) vs between the
 * two hosts directly on the underlay; prints the ratios. Run by {@code jswarm bench overlay [--seconds N]}; needs
 * iperf3 and ping. Everything it makes lives in a temporary directory and two namespaces it removes at the end.
 */
public final class OverlayBench {
  private OverlayBench() {}

  public static void main(String[] args) throws Exception {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 5, System.out);
  }

  /** Three alternating rounds of {@code seconds}-long iperf3 runs; prints each round and the medians to {@code out}. */
  public static void run(int seconds, java.io.PrintStream out) throws Exception {
    for (String tool : List.of("iperf3", "ping")) {
      if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
          .noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
        throw new IllegalStateException(tool + " is not installed: apt-get install " + (tool.equals("ping")
            ? "iputils-ping" : tool));
      }
    }
    Path tmp = Files.createTempDirectory("hov-bench-");
    List<Path> hostNs = new ArrayList<>();
    List<CompositeNetworking> nets = new ArrayList<>();
    try {
      Path resolv = tmp.resolve("resolv.conf");
      Files.writeString(resolv, "nameserver 127.0.0.53\n");
      String[] underlay = {"192.168.232.1", "192.168.232.2"};
      for (int i = 0; i < 2; i++) {
        Path ns = tmp.resolve("host" + i);
        NetNs.create(ns);
        hostNs.add(ns);
        Path exec = tmp.resolve("exec" + i);
        BridgeNetworking bridge = new BridgeNetworking(new BridgeConfig(tmp.resolve("data" + i), exec, "hovbbr",
            "172.31.232.0/24", "hovb", 1500, "bench" + i, ns, resolv));
        nets.add(new CompositeNetworking(bridge,
            new OverlayNetworking(exec, ns, InetAddress.getByName(underlay[i]), OverlayNetworking.DEFAULT_PORT)));
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
        a.addAddress("ul0", InetAddress.getByName(underlay[0]), 24);
        b.addAddress("ul0", InetAddress.getByName(underlay[1]), 24);
        a.setUp("ul0", true);
        b.setUp("ul0", true);
      }
      String[] overlay = {"10.232.9.2", "10.232.9.3"};
      List<Sandbox> tasks = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        tasks.add(nets.get(i).create(task("hovbench" + i, overlay[i] + "/24")));
      }
      for (int i = 0; i < 2; i++) {
        int o = 1 - i;
        nets.get(i).overlay().updateEndpoints(true, List.of(new NetworkEndpoints("hovbnet", 4300, true,
            List.of(new NetworkEndpoints.Endpoint("hovbench" + o, overlay[o], NetworkEndpoints.macOf(overlay[o]),
                underlay[o])), List.of())));
      }
      // the machine is shared: alternate the two paths and take the median of the per-round ratios
      List<Double> tput = new ArrayList<>();
      List<Double> lat = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        double under = iperf(hostNs.get(1), hostNs.get(0), underlay[1], seconds);
        double over = iperf(tasks.get(1).netns(), tasks.get(0).netns(), overlay[1], seconds);
        double rttUnder = rtt(hostNs.get(0), underlay[1]);
        double rttOver = rtt(tasks.get(0).netns(), overlay[1]);
        out.printf("round %d: TCP underlay %.2f Gbit/s overlay %.2f Gbit/s (ratio %.3f); ping rtt underlay %.3f ms"
            + " overlay %.3f ms (ratio %.3f)%n", round + 1, under / 1e9, over / 1e9, over / under, rttUnder, rttOver,
            rttOver / rttUnder);
        tput.add(over / under);
        lat.add(rttOver / rttUnder);
      }
      tput.sort(null);
      lat.sort(null);
      out.printf("median overlay/underlay: TCP throughput ratio %.3f, ping rtt ratio %.3f%n", tput.get(1),
          lat.get(1));
      for (int i = 0; i < 2; i++) {
        nets.get(i).release("hovbench" + i);
      }
    } finally {
      for (CompositeNetworking n : nets) {
        n.teardown();
        n.overlay().close();
        n.bridge().close();
      }
      for (Path ns : hostNs) {
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

  /** Bits per second received by an iperf3 server in {@code serverNs} on {@code ip} from a client in {@code clientNs}. */
  private static double iperf(Path serverNs, Path clientNs, String ip, int seconds) throws Exception {
    Process server = NetNs.call(serverNs, () -> new ProcessBuilder("iperf3", "-s", "-1", "-B", ip, "-p", "25201")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    try {
      Thread.sleep(300);
      Process client = NetNs.call(clientNs, () -> new ProcessBuilder("iperf3", "-c", ip, "-p", "25201", "-t",
          Integer.toString(seconds), "-J").redirectErrorStream(true).start());
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
    Process p = NetNs.call(ns, () -> new ProcessBuilder("/bin/busybox", "ping", "-c", "50", "-i", "0.02", "-q", ip)
        .redirectErrorStream(true).start());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("= [0-9.]+/([0-9.]+)/").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("ping gave no round trip: " + out);
    }
    return Double.parseDouble(m.group(1));
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
