package io.jswarm.cli.bench.etcd;

import io.jswarm.transport.net.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * etcd members on loopback for the benchmark: {@code /usr/bin/etcd} (Debian's etcd-server, 3.4) started directly as
 * child processes, never through the package's systemd unit or init script; free loopback ports, each member's data
 * directory under {@code dir}, WAL fsync on (etcd's default). {@link #close} kills them and removes {@code dir}; a
 * shutdown hook does the same if the JVM ends first.
 */
public final class EtcdCluster implements AutoCloseable {
  public static final Path ETCD = Path.of("/usr/bin/etcd");
  public static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> clientPorts = new ArrayList<>();
  private final Thread hook = new Thread(this::stop, "etcd-cleanup");
  private boolean closed;

  private EtcdCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code members} members under {@code dir} (created; must not exist) and waits for a leader. */
  public static EtcdCluster start(int members, Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(ETCD)) {
      throw new IOException(ETCD + " not found: install Debian's etcd-server and etcd-client"
          + " (apt-get install etcd-server etcd-client)");
    }
    Files.createDirectories(dir);
    EtcdCluster c = new EtcdCluster(dir);
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      List<Integer> peerPorts = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        c.clientPorts.add(FreePorts.pick());
        peerPorts.add(FreePorts.pick());
      }
      String initial = java.util.stream.IntStream.range(0, members)
          .mapToObj(i -> "e" + (i + 1) + "=http://127.0.0.1:" + peerPorts.get(i)).collect(Collectors.joining(","));
      String token = "jswarm-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
      for (int i = 0; i < members; i++) {
        String name = "e" + (i + 1);
        String client = "http://127.0.0.1:" + c.clientPorts.get(i);
        String peer = "http://127.0.0.1:" + peerPorts.get(i);
        ProcessBuilder pb = new ProcessBuilder(ETCD.toString(), "--name", name,
            "--data-dir", dir.resolve(name).toString(),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", token,
            "--logger", "zap");
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_")); // no settings from the caller's environment
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        c.processes.add(pb.start());
      }
      c.awaitLeader();
      return c;
    } catch (IOException | RuntimeException e) {
      String logs = c.logTails();
      c.close();
      throw new IOException("etcd did not start: " + e.getMessage() + logs, e);
    } catch (InterruptedException e) {
      c.close();
      throw e;
    }
  }

  public List<Integer> clientPorts() {
    return clientPorts;
  }

  public List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  /** The client port of the current leader. */
  public int leaderClientPort() throws IOException, InterruptedException {
    return clientPorts.get(awaitLeader());
  }

  /** Index of the leader, once every member answers and names it; 60 s at most. */
  private int awaitLeader() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IOException("an etcd member exited with status " + p.exitValue());
        }
      }
      List<EtcdGrpc.Status> st = new ArrayList<>();
      try {
        for (int port : clientPorts) {
          try (EtcdGrpc g = new EtcdGrpc("127.0.0.1", port, 1, 1000)) {
            st.add(g.status());
          }
        }
        long leader = st.get(0).leaderId();
        if (leader != 0 && st.stream().allMatch(s -> s.leaderId() == leader)) {
          for (int i = 0; i < st.size(); i++) {
            if (st.get(i).memberId() == leader) {
              return i;
            }
          }
        }
        last = st.toString();
      } catch (RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IOException("etcd elected no leader within 60 s (" + last + ")");
  }

  /** The last lines of each member's log (they are removed with the directory). */
  private String logTails() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= processes.size(); i++) {
      Path log = dir.resolve("e" + i + ".log");
      try {
        List<String> lines = Files.readAllLines(log);
        sb.append("\n--- ").append(log.getFileName()).append(" (last lines) ---\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
      } catch (IOException e) {
        sb.append("\n(no ").append(log.getFileName()).append(")");
      }
    }
    return sb.toString();
  }

  /** etcdctl's endpoint list for every member. */
  public String endpoints() {
    return clientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    if (!closed) {
      stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs stop() again, which is harmless
      }
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }

}
