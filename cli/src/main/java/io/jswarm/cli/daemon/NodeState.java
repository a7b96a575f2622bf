package io.jswarm.cli.daemon;

import io.jswarm.api.json.Json;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node remembers about its cluster, in {@code <data-root>/swarm/state.json}: written after
 * {@code swarm init} / {@code swarm join} (and on role or manager-list changes), removed by {@code swarm leave}.
 * A daemon that finds it at start resumes its role. The certificates live next to it in
 * {@code <data-root>/certificates}.
 */
public final class NodeState {
  public String nodeId;
  public String clusterId;
  /** "manager" or "worker". */
  public String role;
  /** The IP other nodes reach this one on. */
  public String advertiseAddr;
  public int clusterPort;
  public int raftPort;
  /** Every manager known, by cluster address; the agent tries them in order to find the leader. */
  public List<Manager> managers = new ArrayList<>();

  /** One manager as seen from here. */
  public static final class Manager {
    public String nodeId;
    public String clusterAddr;
    public String raftAddr;

    public Manager() {}

    public Manager(String nodeId, String clusterAddr, String raftAddr) {
      this.nodeId = nodeId;
      this.clusterAddr = clusterAddr;
      this.raftAddr = raftAddr;
    }
  }

  public boolean isManager() {
    return "manager".equals(role);
  }

  public String clusterAddr() {
    return HostPort.join(advertiseAddr, clusterPort);
  }

  public String raftAddr() {
    return HostPort.join(advertiseAddr, raftPort);
  }

  static Path file(Path dataRoot) {
    return dataRoot.resolve("swarm").resolve("state.json");
  }

  /** The saved state, or null for a node that is in no swarm. */
  public static NodeState load(Path dataRoot) throws IOException {
    Path f = file(dataRoot);
    if (!Files.exists(f)) {
      return null;
    }
    try {
      return Json.fromString(Files.readString(f), NodeState.class);
    } catch (RuntimeException e) {
      throw new IOException(f + " is damaged (" + e.getMessage() + "); move it away and join the swarm again", e);
    }
  }

  /**
   * Writes atomically and durably ({@link DurableFiles#replace}: temporary file synced, renamed, directory synced),
   * so a crash leaves the old state or the new, never half a file or a rename the disk forgot.
   */
  public void save(Path dataRoot) throws IOException {
    Path f = file(dataRoot);
    Files.createDirectories(f.getParent());
    DurableFiles.replace(f, Json.toString(this).getBytes(StandardCharsets.UTF_8), true);
  }

  public static void delete(Path dataRoot) throws IOException {
    Path f = file(dataRoot);
    if (Files.deleteIfExists(f)) {
      DurableFiles.syncDirectory(f.getParent());
    }
  }
}
