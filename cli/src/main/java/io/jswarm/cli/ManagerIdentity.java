package io.jswarm.cli;

import io.jswarm.api.json.Json;
import io.jswarm.consensus.store.IdGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who this manager is, kept in {@code <data-root>/raft/manager.json} so that a restart rejoins the same Raft
 * group as the same member, and so that local clients ({@code jswarm raft status}) can find it.
 */
final class ManagerIdentity {
  public String id;
  public String address;
  public String clusterId;

  static Path file(Path dataRoot) {
    return dataRoot.resolve("raft").resolve("manager.json");
  }

  /** The stored identity, or null when this data root never ran a manager. */
  static ManagerIdentity load(Path dataRoot) throws IOException {
    Path f = file(dataRoot);
    if (!Files.exists(f)) {
      return null;
    }
    return Json.fromString(Files.readString(f), ManagerIdentity.class);
  }

  /** The stored identity with the address updated, or a new one for a fresh data root. */
  static ManagerIdentity loadOrCreate(Path dataRoot, String address) throws IOException {
    ManagerIdentity m = load(dataRoot);
    if (m == null) {
      IdGenerator ids = IdGenerator.secure();
      m = new ManagerIdentity();
      m.id = ids.newId();
      m.clusterId = ids.newId();
    }
    m.address = address;
    Files.createDirectories(file(dataRoot).getParent());
    Files.writeString(file(dataRoot), Json.toString(m), StandardCharsets.UTF_8);
    return m;
  }
}
