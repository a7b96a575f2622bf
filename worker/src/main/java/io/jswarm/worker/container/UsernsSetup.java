package io.jswarm.worker.container;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Task;
import io.jswarm.linux.IdmappedMounts;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.UserNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a container in a user namespace ({@code --userns-remap}) needs from the node, so that its root (a
 * subordinate uid on the host) can use its files:
 * <ul>
 *   <li><b>Root file system.</b> The image's unpacked layers stay as they are (owned by host root and shared by
 *       every container); each is mounted once more, idmapped through the mapping ({@link IdmappedMounts}), and
 *       the overlay is stacked on those clones, so the container's root owns what the image's root owns. The
 *       overlay keeps private references to its layers, so the clones are unmounted again at once. The overlay's
 *       upper directory belongs to the container's root: what it creates is owned by the remapped uid on the
 *       host (Docker's behaviour).</li>
 *   <li><b>The path to the rootfs.</b> The runtime enters the rootfs as the container's root, so it must be able
 *       to traverse {@code <exec-root>/containers/<task>/}: the containers directory is 0711 (traverse, no
 *       listing) and the bundle 0710 with the remapped root's group.</li>
 *   <li><b>Volumes</b> whose top directory belongs to host root get it owned by the remapped root (what a
 *       Docker local volume made under userns-remap has); the {@code /etc} files of the task and its config files
 *       are owned through the mapping; secrets are written into the container's tmpfs with the remapped ids
 *       ({@link TaskFiles#writeSecrets}).</li>
 * </ul>
 */
final class UsernsSetup {
  private UsernsSetup() {}

  /** The mapping task {@code t} runs with on this node: the daemon's, unless the spec says {@code UsernsMode: host}. */
  static UsernsRemap of(ContainerConfig config, Task t) {
    if (config.userns() == null) {
      return null;
    }
    return t.spec != null && ContainerSpec.usernsHost(t.spec.containerSpec) ? null : config.userns();
  }

  /** The OCI {@code linux.uidMappings}/{@code gidMappings} entries of {@code r}'s ranges. */
  static List<Map<String, Object>> ociMappings(List<UserNamespace.IdRange> ranges) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (UserNamespace.IdRange x : ranges) {
      out.add(Map.of("containerID", x.inside(), "hostID", x.outside(), "size", x.size()));
    }
    return out;
  }

  /**
   * Mounts the task's overlay rootfs; with {@code r}, on idmapped clones of the layers (made under
   * {@code scratch}, removed again before returning).
   */
  static void mountRootfs(List<Path> lowerTopFirst, Path upper, Path work, Path rootfs, Path scratch,
      UsernsRemap r) throws IOException {
    if (r == null) {
      Mounts.overlay(lowerTopFirst, upper, work, rootfs);
      return;
    }
    chown(upper, r.rootUid(), r.rootGid());
    List<Path> clones = new ArrayList<>();
    try (UserNamespace ns = UserNamespace.create(r.uids(), r.gids())) {
      for (Path layer : lowerTopFirst) {
        Path clone = Files.createDirectories(scratch.resolve(Integer.toString(clones.size())));
        clones.add(clone);
        try {
          IdmappedMounts.idmap(layer, clone, ns.fd());
        } catch (LinuxException e) {
          throw new IOException("--userns-remap: the image layer " + layer + " cannot be mounted idmapped ("
              + e.getMessage() + "); the data root must be on a file system with idmapped mounts (ext4, xfs, "
              + "btrfs; Linux 5.19 or later for overlayfs), or run the daemon without --userns-remap", e);
        }
      }
      Mounts.overlay(clones, upper, work, rootfs);
    } finally {
      for (Path c : clones) {
        Mounts.unmount(c, true); // the overlay holds its own references to the layers
        Files.deleteIfExists(c);
      }
      Files.deleteIfExists(scratch);
    }
  }

  /**
   * The bundle directory with the remapped root's group and mode 0710, so that the runtime, as the container's
   * root, can reach the rootfs in it; no one else but host root gets in.
   */
  static void openBundle(Path bundle, UsernsRemap r) throws IOException {
    Files.setAttribute(bundle, "unix:gid", (int) r.rootGid(), LinkOption.NOFOLLOW_LINKS);
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwx--x---"));
  }

  /** A volume's directory: owned by the remapped root when it belongs to host root (left alone otherwise). */
  static void ownVolume(Path dir, UsernsRemap r) throws IOException {
    if (r == null) {
      return;
    }
    int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int gid = (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    if (uid == 0 && gid == 0) {
      chown(dir, r.rootUid(), r.rootGid());
    }
  }

  /** {@code f} owned by the host ids of container ids {@code uid}:{@code gid} (unmapped ids: the remapped root). */
  static void own(Path f, UsernsRemap r, long uid, long gid) throws IOException {
    long hu = r.hostUid(uid);
    long hg = r.hostGid(gid);
    chown(f, hu < 0 ? r.rootUid() : hu, hg < 0 ? r.rootGid() : hg);
  }

  private static void chown(Path f, long uid, long gid) throws IOException {
    Files.setAttribute(f, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(f, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * At start with {@code --userns-remap}: every directory above {@code <exec-root>/containers} must let others
   * traverse it (the container's root has to reach its rootfs), and this kernel and the data root's file system
   * must take an overlay on idmapped layers. Makes {@code containers} itself 0711.
   *
   * @throws IOException saying what to change when the machine cannot run remapped containers
   */
  static void check(ContainerConfig config) throws IOException {
    UsernsRemap r = config.userns();
    Path containers = config.execRoot().resolve("containers").toAbsolutePath();
    Files.setPosixFilePermissions(containers, PosixFilePermissions.fromString("rwx--x--x"));
    for (Path d = containers.getParent(); d != null; d = d.getParent()) {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(d);
      if (!p.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException("--userns-remap: the containers' root (uid " + r.rootUid() + " on this host) must "
            + "be able to reach " + containers + ", but " + d + " is mode "
            + PosixFilePermissions.toString(p) + "; chmod o+x " + d + " (or choose another --exec-root)");
      }
    }
    Path probe = Files.createTempDirectory(config.dataRoot().resolve("containers"), "userns-probe-");
    try {
      Path lower = Files.createDirectories(probe.resolve("lower"));
      Path upper = Files.createDirectories(probe.resolve("upper"));
      Path work = Files.createDirectories(probe.resolve("work"));
      Path merged = Files.createDirectories(probe.resolve("merged"));
      Files.writeString(lower.resolve("f"), "probe");
      mountRootfs(List.of(lower), upper, work, merged, probe.resolve("idmapped"), r);
      try {
        int seen = (Integer) Files.getAttribute(merged.resolve("f"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (seen != r.rootUid()) {
          throw new IOException("--userns-remap: an idmapped overlay shows a root-owned file as uid " + seen
              + ", not " + r.rootUid() + "; this kernel's overlayfs does not take idmapped layers (Linux 5.19+)");
        }
      } finally {
        Mounts.unmount(merged, true);
      }
    } finally {
      try (java.util.stream.Stream<Path> s = Files.walk(probe)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
