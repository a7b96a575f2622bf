package io.jswarm.worker.network;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node-local IPAM of the task bridge and its host-port bindings: one lease per task (address, host veth
 * name, hostname, published ports), kept in a small text file that is rewritten atomically on every change, so
 * that a restarted daemon finds the same addresses and ports. Not thread-safe; {@link BridgeNetworking}
 * serialises access.
 */
final class NodeLocalLeases {
  /** One task's lease. */
  record Lease(String taskId, int address, String hostVeth, String hostname, List<HostPort> ports) {}

  private final Path file;
  private final Ipv4Subnet subnet;
  private final Map<String, Lease> byTask = new LinkedHashMap<>();

  NodeLocalLeases(Path file, Ipv4Subnet subnet) {
    this.file = file;
    this.subnet = subnet;
    load();
  }

  Optional<Lease> get(String taskId) {
    return Optional.ofNullable(byTask.get(taskId));
  }

  Collection<Lease> all() {
    return List.copyOf(byTask.values());
  }

  /** The lowest free address of the subnet (not the network, the gateway or the broadcast address). */
  int freeAddress() {
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (Lease l : byTask.values()) {
      used.add(l.address());
    }
    for (int a = subnet.gateway() + 1; a != subnet.broadcast(); a++) {
      if (!used.contains(a)) {
        return a;
      }
    }
    throw new IllegalStateException("no free address left in the task bridge subnet " + subnet + " ("
        + byTask.size() + " tasks hold one each); configure a larger subnet");
  }

  /** The task holding host port {@code published}/{@code protocol}, if any. */
  Optional<String> portHolder(String protocol, int published) {
    for (Lease l : byTask.values()) {
      for (HostPort p : l.ports()) {
        if (p.published() == published && p.protocol().equals(protocol)) {
          return Optional.of(l.taskId());
        }
      }
    }
    return Optional.empty();
  }

  void put(Lease lease) {
    byTask.put(lease.taskId(), lease);
    save();
  }

  void remove(String taskId) {
    if (byTask.remove(taskId) != null) {
      save();
    }
  }

  void clear() {
    byTask.clear();
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + file, e);
    }
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(" ");
        if (f.length != 5) {
          throw new IllegalStateException("corrupt lease line in " + file + ": '" + line
              + "'; fix or remove the file (tasks then get new addresses)");
        }
        List<HostPort> ports = new ArrayList<>();
        if (!f[4].equals("-")) {
          for (String p : f[4].split(",")) {
            String[] q = p.split(":");
            ports.add(new HostPort(q[0], Integer.parseInt(q[1]), Integer.parseInt(q[2])));
          }
        }
        byTask.put(f[0], new Lease(f[0], Ipv4Subnet.toInt(f[1]), f[2], f[3], List.copyOf(ports)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read " + file, e);
    }
  }

  private void save() {
    StringBuilder sb = new StringBuilder("# task address hostVeth hostname protocol:published:target,...\n");
    for (Lease l : byTask.values()) {
      sb.append(l.taskId()).append(' ').append(Ipv4Subnet.toString(l.address())).append(' ').append(l.hostVeth())
          .append(' ').append(l.hostname()).append(' ');
      if (l.ports().isEmpty()) {
        sb.append('-');
      } else {
        List<String> ps = new ArrayList<>();
        for (HostPort p : l.ports()) {
          ps.add(p.protocol() + ":" + p.published() + ":" + p.target());
        }
        sb.append(String.join(",", ps));
      }
      sb.append('\n');
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("write " + file, e);
    }
  }
}
