package io.jswarm.cli.daemon;

import io.jswarm.transport.net.FreePorts;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonAddress;
import io.jswarm.cli.client.DaemonErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A daemon for a test or a benchmark: in this JVM, simulated executor, its own temporary data and exec roots,
 * its API on a loopback port and on a unix socket in its directory, made the only manager of a new swarm with the
 * {@code MaxReplicasPerService} given.
 * {@link #close} stops it and removes every file.
 */
public final class ScratchDaemon implements AutoCloseable {
  private final Path dir;
  private final Daemon daemon;
  private final int apiPort;

  private ScratchDaemon(Path dir, Daemon daemon, int apiPort) {
    this.dir = dir;
    this.daemon = daemon;
    this.apiPort = apiPort;
  }

  /** Starts the daemon and initializes its swarm with {@code maxReplicas} as MaxReplicasPerService. */
  public static ScratchDaemon start(long maxReplicas) throws Exception {
    Path dir = Files.createTempDirectory("jswarm-scratch-");
    int api = FreePorts.pick();
    int cluster = FreePorts.pick();
    int raft = FreePorts.pick();
    DaemonOptions opts = new DaemonOptions(dir.resolve("data"), dir.resolve("run"),
        List.of("tcp://127.0.0.1:" + api, "unix://" + dir.resolve("api.sock")), "jswarm-scratch", "scratch", cluster, raft, "simulated", "runc", 10_000,
        Map.of(), List.of(), "jswarm_scratch", "172.31.250.0/24");
    Daemon d = new Daemon(opts, "scratch");
    ScratchDaemon f = new ScratchDaemon(dir, d, api);
    try {
      d.start();
      // through jswarm's own client, as the CLI calls a daemon (not the JDK's HTTP client, which the daemon does not
      // load: DaemonCdsTraining records what this JVM loads for the daemon's class archive)
      try (ApiClient client = new ApiClient(DaemonAddress.parse("tcp://127.0.0.1:" + api))) {
        client.call("POST", "/swarm/init", ("{\"ListenAddr\":\"127.0.0.1:" + cluster
            + "\",\"AdvertiseAddr\":\"127.0.0.1:" + cluster + "\",\"Spec\":{\"Orchestration\":"
            + "{\"MaxReplicasPerService\":" + maxReplicas + "}}}").getBytes(StandardCharsets.UTF_8));
      } catch (DaemonErrorException e) {
        throw new IllegalStateException("swarm init of the scratch daemon failed: " + e.getMessage(), e);
      }
      return f;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  public int apiPort() {
    return apiPort;
  }

  /** The API's unix socket, as {@code bin/jswarm daemon} serves it by default. */
  public Path apiSocket() {
    return dir.resolve("api.sock");
  }

  /** The daemon itself (its routes, its addresses). */
  public Daemon daemon() {
    return daemon;
  }

  @Override
  public void close() {
    try {
      daemon.close();
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temp directory
      }
    }
  }

}
