package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code /_ping}, {@code /version} and {@code /info} in dockerd's shapes, {@code /info} with its Swarm section. */
final class SystemRoutes {
  private final ManagerGate gate;
  private final Clock clock;
  private final String engineVersion;

  SystemRoutes(ManagerGate gate, Clock clock, String engineVersion) {
    this.gate = gate;
    this.clock = clock;
    this.engineVersion = engineVersion;
  }

  void routes(Router r) {
    r.get("/_ping", this::ping);
    r.get("/version", this::version);
    r.get("/info", this::info);
  }

  private HttpResponse ping(HttpRequest req) {
    return HttpResponse.text(200, "OK")
        .header("Cache-Control", "no-cache, no-store, must-revalidate")
        .header("Pragma", "no-cache")
        .header("Swarm", swarmHeader());
  }

  /** dockerd 23+'s {@code Swarm} header: inactive, pending, error, locked, active/worker or active/manager. */
  private String swarmHeader() {
    String state = gate.lifecycle().localNodeState();
    if (!"active".equals(state)) {
      return state;
    }
    try {
      gate.lifecycle().managerStore();
      return "active/manager";
    } catch (UnavailableException e) {
      return "active/worker";
    }
  }

  private HttpResponse version(HttpRequest req) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("ApiVersion", HttpServer.API_VERSION);
    details.put("MinAPIVersion", HttpServer.MIN_API_VERSION);
    details.put("Os", "linux");
    details.put("Arch", arch());
    details.put("KernelVersion", System.getProperty("os.version"));
    details.put("GitCommit", "");
    details.put("GoVersion", runtime());
    details.put("BuildTime", "");
    details.put("Experimental", "false");
    Map<String, Object> engine = new LinkedHashMap<>();
    engine.put("Name", "Engine");
    engine.put("Version", engineVersion);
    engine.put("Details", details);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("Platform", Map.of("Name", "jswarm " + engineVersion));
    v.put("Components", List.of(engine));
    v.put("Version", engineVersion);
    v.put("ApiVersion", HttpServer.API_VERSION);
    v.put("MinAPIVersion", HttpServer.MIN_API_VERSION);
    v.put("GitCommit", "");
    v.put("GoVersion", runtime());
    v.put("Os", "linux");
    v.put("Arch", arch());
    v.put("KernelVersion", System.getProperty("os.version"));
    v.put("BuildTime", "");
    return HttpResponse.ok(v);
  }

  /** One consistent read for {@code /info}. */
  private record ClusterSummary(int nodes, int managers, List<Node> raftMembers, String selfHostname, Swarm cluster) {}

  private HttpResponse info(HttpRequest req) {
    SwarmLifecycle lc = gate.lifecycle();
    Map<String, Object> swarm = new LinkedHashMap<>();
    String nodeId = orEmpty(lc.nodeId());
    swarm.put("NodeID", nodeId);
    swarm.put("NodeAddr", host(orEmpty(lc.nodeAddr()))); // dockerd shows the address without the port
    swarm.put("LocalNodeState", lc.localNodeState());
    boolean manager = false;
    String error = "";
    String hostname = null;
    List<Map<String, String>> remoteManagers = new ArrayList<>();
    SwarmLifecycle.ClusterView view = nodeId.isEmpty() ? null : gate.view();
    if (!nodeId.isEmpty() && "active".equals(lc.localNodeState())) {
      try {
        MemoryStore store = lc.managerStore();
        manager = true;
        // a local read: /info answers at once even while the cluster has no quorum
        ClusterSummary read = store.viewStale(tx -> {
          // shallow copies of the managers and Raft members (only their ManagerStatus is replaced below), no deep
          // copy of every row
          Map<String, String> raftAddrs = view == null || view.managerRaftAddrs() == null ? Map.of()
              : view.managerRaftAddrs();
          int[] managers = {0};
          List<Node> members = new ArrayList<>();
          tx.nodes().scanAll(n -> {
            if (NodeRoutes.MANAGER.equals(NodeRoutes.role(n))) {
              managers[0]++;
            }
            if (raftAddrs.containsKey(n.id)) {
              members.add(n.shallowCopy());
            }
          });
          return new ClusterSummary(tx.nodes().count(), managers[0], members,
              tx.nodes().read(nodeId, n -> n == null ? null : NodeRoutes.hostname(n)),
              tx.cluster().all().isEmpty() ? null : SwarmRoutes.cluster(tx));
        });
        swarm.put("Nodes", read.nodes());
        swarm.put("Managers", read.managers());
        hostname = read.selfHostname();
        if (read.cluster() != null) {
          swarm.put("Cluster", SwarmRoutes.publicView(read.cluster(), false));
        }
        for (Node n : read.raftMembers()) {
          if (gate.withManagerStatus(n, view).managerStatus != null) {
            remoteManagers.add(peer(n.id, n.managerStatus.addr));
          }
        }
      } catch (UnavailableException e) {
        if (manager) {
          error = e.getMessage(); // a manager whose store cannot be read
        }
      }
    }
    if (!manager && view != null && view.managerRaftAddrs() != null) {
      view.managerRaftAddrs().forEach((id, addr) -> remoteManagers.add(peer(id, addr)));
    }
    swarm.put("ControlAvailable", manager);
    swarm.put("Error", error);
    swarm.put("RemoteManagers", remoteManagers.isEmpty() ? null : remoteManagers);
    if (!manager) {
      swarm.put("Nodes", 0);
      swarm.put("Managers", 0);
    }

    EngineInfo engine = gate.lifecycle().engineInfo();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("ID", nodeId);
    info.put("Containers", engine.containersRunning() + engine.containersStopped());
    info.put("ContainersRunning", engine.containersRunning());
    info.put("ContainersPaused", 0);
    info.put("ContainersStopped", engine.containersStopped());
    info.put("Images", engine.images());
    info.put("Driver", "overlay2");
    info.put("DriverStatus", List.of());
    info.put("Plugins", Map.of("Volume", List.of(), "Network", List.of("overlay"), "Authorization", List.of(),
        "Log", List.of("json-file")));
    info.put("MemoryLimit", true);
    info.put("SwapLimit", false);
    info.put("CpuCfsPeriod", true);
    info.put("CpuCfsQuota", true);
    info.put("CPUShares", true);
    info.put("CPUSet", true);
    info.put("PidsLimit", true);
    info.put("IPv4Forwarding", true);
    info.put("Debug", false);
    info.put("NFd", 0);
    info.put("NGoroutines", Thread.activeCount());
    info.put("SystemTime", Timestamps.format(clock.instant()));
    info.put("LoggingDriver", "json-file");
    info.put("CgroupDriver", "cgroupfs");
    info.put("NEventsListener", 0);
    info.put("KernelVersion", System.getProperty("os.version"));
    info.put("OperatingSystem", Host.OPERATING_SYSTEM);
    info.put("OSVersion", "");
    info.put("OSType", "linux");
    info.put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
    info.put("NCPU", Runtime.getRuntime().availableProcessors());
    info.put("MemTotal", Host.MEM_TOTAL);
    info.put("DockerRootDir", engine.rootDir());
    info.put("Name", hostname != null ? hostname : machineHostname());
    info.put("Labels", engine.labels());
    info.put("ExperimentalBuild", false);
    info.put("ServerVersion", engineVersion);
    info.put("Runtimes", Map.of("runc", Map.of("path", "runc"), "crun", Map.of("path", "crun")));
    info.put("DefaultRuntime", engine.defaultRuntime());
    info.put("Swarm", swarm);
    info.put("LiveRestoreEnabled", false);
    info.put("Isolation", "");
    info.put("SecurityOptions", engine.securityOptions());
    info.put("Warnings", engine.warnings());
    return HttpResponse.ok(info);
  }

  private static Map<String, String> peer(String id, String addr) {
    Map<String, String> peer = new LinkedHashMap<>();
    peer.put("NodeID", id);
    peer.put("Addr", addr);
    return peer;
  }

  /** {@code 10.0.0.1:2377} -> {@code 10.0.0.1}, {@code [::1]:2377} -> {@code ::1}. */
  static String host(String addr) {
    if (addr.startsWith("[")) {
      int end = addr.indexOf(']');
      return end > 0 ? addr.substring(1, end) : addr;
    }
    int colon = addr.lastIndexOf(':');
    return colon > 0 && addr.indexOf(':') == colon ? addr.substring(0, colon) : addr;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Docker's GOARCH names. */
  private static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> a;
    };
  }

  private static String runtime() {
    return "java" + System.getProperty("java.version");
  }

  /**
   * What does not change while the daemon runs, read at the first {@code /info}: its every call read
   * {@code /etc/os-release} and the memory size (a client's {@code node ls}, {@code node inspect self} and
   * {@code swarm join-token} ask {@code /info} too; docs/footprint.md).
   */
  private static final class Host {
    static final String OPERATING_SYSTEM = operatingSystem();
    static final long MEM_TOTAL = memTotal();
  }

  private static long memTotal() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 0;
  }

  private static String operatingSystem() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // fall through to the JVM's name
    }
    return System.getProperty("os.name").toLowerCase(Locale.ROOT);
  }

  private static String machineHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
