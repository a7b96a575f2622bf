package io.jswarm.cli;

import io.jswarm.cli.daemon.ApiListeners;
import io.jswarm.cli.dashboard.Dashboard;
import io.jswarm.cli.metrics.JvmMetrics;
import io.jswarm.cli.metrics.MetricsListener;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.cli.daemon.Daemon;
import io.jswarm.cli.daemon.DaemonOptions;
import io.jswarm.worker.container.ContainerExecutor;
import io.jswarm.worker.image.RegistryAllowList;
import io.jswarm.worker.image.UnpackLimits;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm daemon}: the per-host daemon (like {@code dockerd}). It serves the API on its sockets at once;
 * {@code swarm init} or {@code swarm join} make it a manager or worker, and a restart resumes that role from the
 * data root.
 */
@Command(name = "daemon", description = "Run the jswarm daemon on this host.")
final class DaemonCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--data-root", defaultValue = "/var/lib/jswarm", description = "Persistent state (default: ${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--exec-root", defaultValue = "/run/jswarm", description = "Runtime state (default: ${DEFAULT-VALUE}).")
  Path execRoot;

  @Option(names = {"-H", "--host"}, description = "API listener, repeatable: unix:///path or tcp://addr:port "
      + "(default: unix://<exec-root>/jswarm.sock).")
  List<String> hosts = new ArrayList<>();

  @Option(names = "--cgroup-parent", defaultValue = "jswarm", description = "Parent cgroup of task containers (default: ${DEFAULT-VALUE}).")
  String cgroupParent;

  @Option(names = "--node-name", description = "Hostname this node reports in 'node ls' (default: the machine's hostname).")
  String nodeName;

  @Option(names = "--cluster-port", defaultValue = "2377",
      description = "Port of the cluster listener (dispatcher, CA) unless swarm init/join --listen-addr names one (default: ${DEFAULT-VALUE}).")
  int clusterPort;

  @Option(names = "--raft-port", defaultValue = "2378", description = "Port of the Raft listener on managers (default: ${DEFAULT-VALUE}).")
  int raftPort;

  @Option(names = "--executor", defaultValue = "container",
      description = "Task executor: 'container' runs OCI containers with --runtime; 'simulated' reports tasks "
          + "RUNNING without running anything (for tests and benchmarks) (default: ${DEFAULT-VALUE}).")
  String executor;

  @Option(names = "--userns-remap", paramLabel = "default|USER[:GROUP]",
      description = "Run containers in a user namespace whose root is a subordinate id of USER from /etc/subuid and "
          + "/etc/subgid; 'default' makes and uses the user dockremap (as dockerd).")
  String usernsRemap;

  @Option(names = "--runtime", defaultValue = "runc",
      description = "OCI runtime of the container executor: runc or crun (default: ${DEFAULT-VALUE}).")
  String runtime;

  @Option(names = "--label", description = "Engine label KEY=VALUE, repeatable (matched by engine.labels.KEY constraints).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--snapshot-interval", defaultValue = "10000",
      description = "Log entries between Raft snapshots (default: ${DEFAULT-VALUE}).")
  long snapshotInterval;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "Registry to pull from and push to over plain HTTP, repeatable (localhost and 127.0.0.1 always are).")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(names = "--registry-allow", paramLabel = "HOST|*.DOMAIN|IP|CIDR",
      description = "Registry addresses image pulls and pushes may dial (the registry, its blob redirects and token "
          + "server), repeatable or comma-separated; default: any. Pulls from the managers are not affected.")
  List<String> registryAllow = new ArrayList<>();

  @Option(names = "--bridge-name", defaultValue = "jswarm_gwbridge",
      description = "Bridge the containers' own interface is plugged into (NAT out, host-mode ports); daemons "
          + "sharing one network namespace need different ones (default: ${DEFAULT-VALUE}).")
  String bridgeName;

  @Option(names = "--bridge-subnet", defaultValue = "172.18.0.0/16",
      description = "IPv4 subnet of that bridge; its first address is the gateway (default: ${DEFAULT-VALUE}).")
  String bridgeSubnet;

  @Option(names = "--image-max-layer-size", defaultValue = "32g", converter = io.jswarm.cli.client.FlagConverters.Bytes.class,
      description = "Largest uncompressed size of one image layer (sparse files count by their real size); a "
          + "layer past it is refused and nothing of it kept (default: ${DEFAULT-VALUE}).")
  long imageMaxLayerSize;

  @Option(names = "--image-max-layer-entries", defaultValue = "1000000",
      description = "Most tar entries in one image layer (default: ${DEFAULT-VALUE}).")
  long imageMaxLayerEntries;

  @Option(names = "--tls", description = "Serve the tcp:// API listeners over TLS with --tlscert/--tlskey (implied by --tlsverify).")
  boolean tls;

  @Option(names = "--tlsverify", description = "Serve the tcp:// API listeners over TLS and accept only clients with a "
      + "certificate signed by --tlscacert (as dockerd).")
  boolean tlsVerify;

  @Option(names = "--tlscacert", paramLabel = "FILE", description = "CA certificate (PEM) client certificates must chain to.")
  Path tlsCaCert;

  @Option(names = "--tlscert", paramLabel = "FILE", description = "The API's TLS certificate (PEM).")
  Path tlsCert;

  @Option(names = "--tlskey", paramLabel = "FILE", description = "The API's TLS private key (PEM).")
  Path tlsKey;

  @Option(names = "--insecure-tcp", description = "Allow a tcp:// API listener on a non-loopback address without "
      + "--tlsverify. Anyone who can reach it gets root on this host; logged as a warning at every start.")
  boolean insecureTcp;

  @Option(names = "--force-new-cluster", description = "At start, recover from a lost quorum: this manager becomes "
      + "the only manager of its swarm, with its last applied state (as 'jswarm swarm init --force-new-cluster').")
  boolean forceNewCluster;

  @Option(names = "--metrics-addr", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics on "
      + "http://HOST:PORT/metrics (and the read-only dashboard on /), as dockerd's flag: 127.0.0.1:9323. Off "
      + "unless given; see docs/metrics.md.")
  String metricsAddr;

  @Option(names = "--metrics-allow-remote", description = "Allow --metrics-addr on a non-loopback address. The "
      + "metrics and dashboard are unauthenticated and name services, nodes and images; logged as a warning.")
  boolean metricsAllowRemote;

  @Override
  public Integer call() throws Exception {
    DaemonOptions opts;
    try {
      opts = options();
    } catch (BadFlag e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return serve(opts);
  }

  /**
   * {@code jswarm daemon ARGS} without picocli ({@link QuickFlags}: its model would stay in the daemon's metaspace
   * for the process's life), or null when picocli must parse {@code args} (the words after {@code daemon}): for
   * {@code --help}, a form {@link QuickFlags} does not take, or a value {@link #options} refuses, picocli then writes
   * the message and the usage as always.
   */
  static Integer runWithoutPicocli(List<String> args) throws Exception {
    DaemonCommand command = new DaemonCommand();
    if (!QuickFlags.parse(command, args)) {
      return null;
    }
    DaemonOptions opts;
    try {
      opts = command.options();
    } catch (BadFlag e) {
      return null;
    }
    return command.serve(opts);
  }

  /** A flag's value refused by {@link #options}: picocli reports it with the usage (exit code 2). */
  static final class BadFlag extends Exception {
    BadFlag(String message) {
      super(message);
    }
  }

  /** The daemon's options from the flags, checked. */
  DaemonOptions options() throws BadFlag, java.io.IOException {
    checkPort("--cluster-port", clusterPort);
    checkPort("--raft-port", raftPort);
    if (!executor.equals("container") && !executor.equals("simulated")) {
      throw new BadFlag("--executor: \"" + executor + "\" is not available; allowed: container, simulated");
    }
    if (!runtime.equals("runc") && !runtime.equals("crun")) {
      throw new BadFlag("--runtime: \"" + runtime + "\" is not supported; allowed: runc, crun");
    }
    if (executor.equals("container")) {
      try {
        ContainerExecutor.findRuntime(runtime);
      } catch (IllegalStateException e) {
        throw new BadFlag("--runtime: " + e.getMessage());
      }
    }
    if (imageMaxLayerSize < 1 || imageMaxLayerEntries < 1) {
      throw new BadFlag("--image-max-layer-size and --image-max-layer-entries must be positive");
    }
    Map<String, String> engineLabels = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new BadFlag("--label: expected KEY=VALUE, got \"" + l + "\"");
      }
      engineLabels.put(l.substring(0, eq), l.substring(eq + 1));
    }
    io.jswarm.worker.container.UsernsRemap userns = null;
    if (usernsRemap != null) {
      try {
        userns = io.jswarm.worker.container.UsernsRemap.resolve(usernsRemap,
            io.jswarm.worker.container.UsernsRemap.HostFiles.ETC);
      } catch (IllegalArgumentException e) {
        throw new BadFlag(e.getMessage());
      }
    }
    List<String> listeners = hosts.isEmpty() ? List.of("unix://" + execRoot.resolve("jswarm.sock")) : hosts;
    String name = nodeName != null ? nodeName : InetAddress.getLocalHost().getHostName();
    DaemonOptions opts = new DaemonOptions(dataRoot, execRoot, listeners, cgroupParent, name, clusterPort, raftPort,
        executor, runtime, snapshotInterval, engineLabels, List.copyOf(insecureRegistries), bridgeName, bridgeSubnet,
        new ApiListeners.Security(tls, tlsVerify, tlsCaCert, tlsCert, tlsKey, insecureTcp),
        new UnpackLimits(imageMaxLayerSize, imageMaxLayerEntries), registryAllowList(), userns);
    if (metricsAddr != null) {
      try {
        MetricsListener.parse(metricsAddr, metricsAllowRemote);
      } catch (IllegalArgumentException e) {
        throw new BadFlag(e.getMessage());
      }
    }
    return opts;
  }

  /** Starts the daemon with {@code opts} and runs it until SIGTERM. */
  private int serve(DaemonOptions opts) throws Exception {
    Metrics metrics = new Metrics();
    Daemon daemon = new Daemon(opts, Main.version(), metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      closeWithin(daemon, SHUTDOWN_GRACE);
      stopped.countDown();
    }, "jswarm-shutdown"));
    if (metricsAddr != null) { // before the daemon starts: a taken port fails the start, not a running node
      JvmMetrics.register(metrics);
      Dashboard.serve(MetricsListener.start(metricsAddr, metricsAllowRemote, metrics), daemon::managerStore);
    }
    daemon.start();
    if (forceNewCluster) {
      daemon.forceNewCluster(null);
    }

    System.out.printf("jswarm daemon %s: node %s, API on %s, swarm %s, data root %s%n", Main.version(),
        opts.nodeName(), String.join(", ", opts.hosts()), daemon.localNodeState(), dataRoot);
    System.out.flush();
    stopped.await();
    return 0;
  }

  /** How long SIGTERM waits for the daemon to close before the JVM exits anyway. */
  static final java.time.Duration SHUTDOWN_GRACE = java.time.Duration.ofSeconds(20);

  /**
   * Closes the daemon on its own thread and waits at most {@code grace}: a request stuck while holding the daemon's
   * lock (a hung init or join) must not keep SIGTERM from stopping the process. Returns whether it closed in time.
   */
  static boolean closeWithin(AutoCloseable daemon, java.time.Duration grace) {
    Thread closer = new Thread(() -> {
      try {
        daemon.close();
      } catch (Exception e) {
        System.err.println("jswarm daemon: closing failed: " + e.getMessage());
      }
    }, "jswarm-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(grace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      System.err.println("jswarm daemon: did not close within " + grace.toSeconds() + "s (a request holds it);"
          + " exiting anyway: the containers keep running and the next start picks them up");
      return false;
    }
    return true;
  }

  private static void checkPort(String flag, int port) throws BadFlag {
    if (port < 1 || port > 65535) {
      throw new BadFlag(flag + " must be 1-65535, got " + port);
    }
  }

  private RegistryAllowList registryAllowList() throws BadFlag {
    try {
      return RegistryAllowList.parse(registryAllow);
    } catch (io.jswarm.api.errors.InvalidArgumentException e) {
      throw new BadFlag(e.getMessage());
    }
  }
}
