package io.jswarm.worker.container;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Mount;
import io.jswarm.worker.volume.VolumeProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A task's {@code ContainerSpec.Mounts} as OCI mounts (Docker's bind, volume and tmpfs types). */
final class TaskMounts {
  private TaskMounts() {}

  /**
   * The OCI mounts of {@code spec.Mounts}: binds (the source must exist), volumes (acquired from {@code volumes}
   * for task {@code taskId}; a sized one is handed to {@code limits} to watch; with {@code userns}, a volume owned
   * by host root is given to the remapped root) and tmpfs.
   *
   * @throws IllegalArgumentException naming the field of a mount that cannot be made
   */
  static List<Map<String, Object>> of(ContainerSpec spec, VolumeProvider volumes, String taskId, LimitWatch limits,
      UsernsRemap userns) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (spec.mounts == null) {
      return out;
    }
    for (Mount m : spec.mounts) {
      String type = m.type == null ? "volume" : m.type;
      if (m.target == null || !m.target.startsWith("/")) {
        throw new IllegalArgumentException("Mounts.Target: \"" + m.target + "\" must be an absolute path");
      }
      boolean ro = Boolean.TRUE.equals(m.readOnly);
      switch (type) {
        case "bind" -> {
          if (m.source == null || !m.source.startsWith("/") || !Files.exists(Path.of(m.source))) {
            throw new IllegalArgumentException("Mounts.Source: bind source \"" + m.source
                + "\" must be an absolute path that exists on the node");
          }
          List<String> o = new ArrayList<>(List.of(
              m.bindOptions != null && Boolean.TRUE.equals(m.bindOptions.nonRecursive) ? "bind" : "rbind"));
          o.add(m.bindOptions != null && m.bindOptions.propagation != null ? m.bindOptions.propagation : "rprivate");
          if (ro) {
            o.add("ro");
          }
          out.add(OciSpec.mount(m.target, "bind", m.source, o));
        }
        case "volume" -> {
          if (m.source == null || m.source.isBlank()) {
            throw new IllegalArgumentException("Mounts.Source: a volume mount at " + m.target
                + " needs a volume name (anonymous volumes are not supported)");
          }
          Map<String, String> labels = m.volumeOptions == null ? null : m.volumeOptions.labels;
          Path dir = volumes.acquire(m.source, labels == null ? Map.of() : labels, taskId);
          UsernsSetup.ownVolume(dir, userns);
          Long size = volumes.sizeLimit(m.source);
          if (size != null) {
            limits.volume(m.source, dir, size);
          }
          List<String> o = new ArrayList<>(List.of("rbind", "rprivate"));
          if (ro) {
            o.add("ro");
          }
          out.add(OciSpec.mount(m.target, "bind", dir.toString(), o));
        }
        case "tmpfs" -> {
          List<String> o = new ArrayList<>(List.of("nosuid", "nodev"));
          if (m.tmpfsOptions != null && m.tmpfsOptions.sizeBytes != null && m.tmpfsOptions.sizeBytes > 0) {
            o.add("size=" + m.tmpfsOptions.sizeBytes);
          }
          if (m.tmpfsOptions != null && m.tmpfsOptions.mode != null) {
            o.add("mode=" + Long.toOctalString(m.tmpfsOptions.mode));
          }
          if (ro) {
            o.add("ro");
          }
          out.add(OciSpec.mount(m.target, "tmpfs", "tmpfs", o));
        }
        default -> throw new IllegalArgumentException("Mounts.Type: \"" + type
            + "\" is not supported; allowed: bind, volume, tmpfs");
      }
    }
    return out;
  }
}
