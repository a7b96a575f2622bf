package io.jswarm.cli.cluster;

import io.jswarm.transport.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A cluster of real {@code jswarm daemon} processes on this machine, each with its own data root, exec root and
 * loopback ports, run with the simulated executor. Tests drive them through their HTTP API (each daemon also
 * listens on a loopback TCP port) exactly as the CLI does. {@link #close} kills every process and removes every
 * directory; a shutdown hook does the same if the JVM ends first (a benchmark stopped with Ctrl-C or {@code timeout}
 * must not leave managers running). Tests and {@code jswarm bench cluster} share it.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /**
   * As bin/jswarm starts a daemon: as root, Java thread priorities become nice values, so the Raft member's threads
   * run first (consensus RaftThreads, docs/scale.md); otherwise the JVM would only warn.
   */
  static final List<String> THREAD_PRIORITIES = isRoot() ? List.of("-XX:ThreadPriorityPolicy=1") : List.of();

  private final Path baseDir;
  private final Map<String, Daemon> daemons = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> extraDaemonArgs = new ArrayList<>();
  private String executor = "simulated";
  private Path keepLogs = Path.of("target", "cluster-logs");
  private List<String> javaOpts = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private final Thread hook = new Thread(this::closeQuietly, "process-cluster-cleanup");
  private boolean closed;

  public ProcessCluster() throws IOException {
    this.baseDir = Files.createTempDirectory("jswarm-cluster-");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The executor of daemons started after this call: {@code simulated} (the default here) or {@code container}. */
  public ProcessCluster executor(String name) {
    this.executor = name;
    return this;
  }

  /** JVM options of daemons started after this call (default: a 256 MB heap, serial GC, C1 only). */
  public ProcessCluster javaOpts(List<String> opts) {
    this.javaOpts = List.copyOf(opts);
    return this;
  }

  /** Where {@link #close} copies the daemons' logs (a directory per cluster); null: nowhere. */
  public ProcessCluster keepLogsIn(Path dir) {
    this.keepLogs = dir;
    return this;
  }

  /** Flags added to every daemon started after this call. */
  public ProcessCluster daemonArgs(String... args) {
    extraDaemonArgs.addAll(List.of(args));
    return this;
  }

  public Path baseDir() {
    return baseDir;
  }

  /** Starts a daemon called {@code name} (also its hostname) that is in no swarm yet. */
  public Daemon start(String name) throws IOException {
    Daemon d = new Daemon(name, FreePorts.pick(), FreePorts.pick(), FreePorts.pick());
    daemons.put(name, d);
    d.launch();
    return d;
  }

  /**
   * Starts a daemon called {@code name} whose listeners (API over TCP, cluster, Raft) are on {@code address}, run
   * through {@code launcher} (a command prefix such as {@code nsenter --net=/run/netns/X}; empty: none) and with
   * {@code extraArgs} after the flags of every daemon. The multi-host harness uses it for daemons in their own
   * network namespaces.
   */
  public Daemon start(String name, String address, int apiPort, int clusterPort, int raftPort, List<String> launcher,
      List<String> extraArgs) throws IOException {
    Daemon d = new Daemon(name, address, apiPort, clusterPort, raftPort, launcher, extraArgs);
    daemons.put(name, d);
    d.launch();
    return d;
  }

  /** What one jswarm CLI command run in this JVM printed and returned ({@link Daemon#jswarm}). */
  public record CliRun(int rc, String out, String err) {}

  /** Starts a daemon and makes it the first manager of a new swarm. */
  public Daemon init(String name, String... initBody) throws IOException {
    Daemon d = start(name);
    d.initSwarm(initBody);
    return d;
  }

  /** Starts a daemon and joins it through {@code via} as a worker or manager. */
  public Daemon join(String name, Daemon via, String role) throws IOException {
    Daemon d = start(name);
    d.joinThrough(via, role);
    return d;
  }

  public Daemon get(String name) {
    return daemons.get(name);
  }

  public List<Daemon> all() {
    return List.copyOf(daemons.values());
  }

  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is what called us (or will, and finds us closed)
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (Daemon d : daemons.values()) {
      d.kill();
    }
    // keep the daemons' logs for a post-mortem: target/cluster-logs/<dir name>/<node>.log
    if (keepLogs != null) {
      Path keep = keepLogs.resolve(baseDir.getFileName().toString());
      Files.createDirectories(keep);
      for (Daemon d : daemons.values()) {
        if (Files.exists(d.log)) {
          Files.copy(d.log, keep.resolve(d.log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try (Stream<Path> s = Files.walk(baseDir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      System.err.println("cluster cleanup of " + baseDir + ": " + e.getMessage());
    }
  }

  /** Polls {@code cond} every 100 ms until it holds, failing with {@code what} after {@code max}. */
  public static void await(Duration max, String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        if (cond.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet: the API may be between leaders
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + max + " waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new IllegalStateException("interrupted waiting for " + what);
      }
    }
  }

  /** Surefire runs tests from a manifest-only jar; the real test class path is in its own property. */
  public static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }


  /** An HTTP answer: status and body. */
  public record Answer(int status, String body) {
    public Answer expect(int wanted) {
      if (status != wanted) {
        throw new IllegalStateException("expected HTTP " + wanted + ", got " + status + ": " + body);
      }
      return this;
    }

    public JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }
  }

  /** One daemon process. */
  public final class Daemon {
    public final String name;
    public final int apiPort;
    public final int clusterPort;
    public final int raftPort;
    public final Path dataRoot;
    public final Path execRoot;
    /** The address all of this daemon's TCP listeners are on. */
    public final String address;
    private final List<String> launcher;
    private final List<String> ownArgs;
    private final String executor;
    public final Path log;
    private Process process;

    Daemon(String name, int apiPort, int clusterPort, int raftPort) {
      this(name, "127.0.0.1", apiPort, clusterPort, raftPort, List.of(), List.of());
    }

    Daemon(String name, String address, int apiPort, int clusterPort, int raftPort, List<String> launcher,
        List<String> ownArgs) {
      this.name = name;
      this.address = address;
      this.launcher = List.copyOf(launcher);
      this.ownArgs = List.copyOf(ownArgs);
      this.apiPort = apiPort;
      this.clusterPort = clusterPort;
      this.raftPort = raftPort;
      this.dataRoot = baseDir.resolve(name).resolve("data");
      this.execRoot = baseDir.resolve(name).resolve("run");
      this.log = baseDir.resolve(name + ".log");
      this.executor = ProcessCluster.this.executor;
    }

    /** {@code -H} value that reaches this daemon. */
    public String host() {
      return "tcp://" + address + ":" + apiPort;
    }

    /** Runs the jswarm CLI in this JVM against this daemon: {@code jswarm -H <host()> ARGS...}. */
    public CliRun jswarm(String... args) {
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      List<String> all = new ArrayList<>(List.of("-H", host()));
      all.addAll(List.of(args));
      int rc = io.jswarm.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
          all.toArray(new String[0]));
      return new CliRun(rc, out.toString(), err.toString());
    }

    /** Where this daemon keeps its TLS key, certificate and the cluster's root CA certificate. */
    public Path certDir() {
      return dataRoot.resolve("certificates");
    }

    public String clusterAddr() {
      return address + ":" + clusterPort;
    }

    /** This daemon's TLS credentials, its key file opened with the key-encryption key in its data root. */
    public io.jswarm.transport.pki.NodeCredentials credentials() throws IOException {
      return io.jswarm.transport.pki.NodeCredentials.load(certDir(), io.jswarm.cli.daemon.NodeKeys.load(dataRoot,
          certDir(), new java.security.SecureRandom()));
    }

    /** Makes this daemon the first manager of a new swarm; {@code initBody}: more fields of the request. */
    public void initSwarm(String... initBody) throws IOException {
      String body = "{\"AdvertiseAddr\":\"" + clusterAddr() + "\",\"ListenAddr\":\"" + clusterAddr()
          + "\"" + (initBody.length > 0 ? "," + initBody[0] : "") + "}";
      call("POST", "/swarm/init", body).expect(200);
    }

    void launch() throws IOException {
      List<String> cmd = new ArrayList<>(launcher);
      cmd.addAll(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(THREAD_PRIORITIES); // first: -XX:ThreadPriorityPolicy=0 in javaOpts turns it off (A/B runs)
      cmd.addAll(javaOpts);
      cmd.addAll(List.of("-Xshare:auto", "-cp", classPath(),
          "io.jswarm.cli.Main", "daemon",
          "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString(),
          "-H", "unix://" + execRoot.resolve("jswarm.sock"), "-H", "tcp://" + address + ":" + apiPort,
          "--cluster-port", Integer.toString(clusterPort), "--raft-port", Integer.toString(raftPort),
          "--node-name", name, "--executor", executor));
      if (!address.startsWith("127.")) {
        cmd.add("--insecure-tcp"); // a test host's namespace address: plain TCP on a network the test made
      }
      cmd.addAll(extraDaemonArgs);
      cmd.addAll(ownArgs);
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      await(START_TIMEOUT, name + " to answer /_ping (log: " + log + ")", () -> {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log:\n" + logText());
        }
        try {
          return call("GET", "/_ping", null).status == 200;
        } catch (IOException e) {
          return false;
        }
      });
    }

    /** Joins the swarm {@code via} belongs to, with its worker or manager token. */
    public void joinThrough(Daemon via, String role) throws IOException {
      String token = via.call("GET", "/swarm", null).expect(200).json().path("JoinTokens")
          .path(role.equals("manager") ? "Manager" : "Worker").asText();
      joinWithToken(via, token).expect(200);
    }

    public Answer joinWithToken(Daemon via, String token) throws IOException {
      String body = "{\"AdvertiseAddr\":\"" + clusterAddr() + "\",\"ListenAddr\":\"" + clusterAddr()
          + "\",\"RemoteAddrs\":[\"" + via.clusterAddr() + "\"],\"JoinToken\":\"" + token + "\"}";
      return call("POST", "/swarm/join", body);
    }

    public Answer call(String method, String path, String jsonBody) throws IOException {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address + ":" + apiPort + "/v1.41" + path))
          .timeout(Duration.ofSeconds(90));
      b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(jsonBody));
      if (jsonBody != null) {
        b.header("Content-Type", "application/json");
      }
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    /** A call with a raw body (an image tarball, say). */
    public Answer callBytes(String method, String path, byte[] body, String contentType) throws IOException {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + address + ":" + apiPort + "/v1.41" + path))
          .timeout(Duration.ofSeconds(120)).header("Content-Type", contentType)
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
      try {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), resp.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    /** Starts the process again after {@link #kill} (same data root and ports). */
    public void relaunch() throws IOException {
      launch();
    }

    public JsonNode get(String path) throws IOException {
      return call("GET", path, null).expect(200).json();
    }

    /** The process id (for signals such as SIGSTOP), or -1 before launch. */
    public long pid() {
      return process == null ? -1 : process.pid();
    }

    /** Where the daemon's output goes. */
    public Path logFile() {
      return log;
    }

    public boolean alive() {
      return process != null && process.isAlive();
    }

    /** SIGKILL: the daemon gets no chance to say goodbye. */
    public void kill() {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** SIGTERM and wait: a clean shutdown. */
    public void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    }

    /** Starts the process again on the same data root and ports. */
    public void restart() throws IOException, InterruptedException {
      stop();
      launch();
    }

    public String logText() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
