package io.jswarm.worker.container;

import io.jswarm.api.types.Base64Data;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Task;
import io.jswarm.worker.agent.TaskDependencies;
import io.jswarm.linux.FsIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's secrets and configs in its container.
 *
 * <ul>
 *   <li>Secrets: the bundle's {@code config.json} asks the runtime for an empty tmpfs at {@value #SECRETS_DIR}
 *       (nothing of a secret is in the bundle). The container is only created, not started ({@code jswarm-monitor
 *       -C}); {@link #writeSecrets} then writes each secret into that tmpfs through {@code /proc/<init>/root} — the
 *       tmpfs exists in the container's mount namespace only, so the data is never on the node's disk nor visible
 *       under the data or exec root — and the container is started. The file gets the reference's mode (default
 *       0444), UID and GID. The data comes from {@link TaskDependencies} (memory).</li>
 *   <li>Configs are not confidential: each is written under the task's state directory with its mode and owner and
 *       bind-mounted read-only at its target (an absolute path, or {@code /NAME} for a relative one).</li>
 * </ul>
 */
final class TaskFiles {
  static final String SECRETS_DIR = "/run/secrets";
  private static final long DEFAULT_MODE = 0444;
  /** The secrets tmpfs: all of a task's secrets fit (each is under 500 KiB, as the managers check). */
  private static final String SECRETS_TMPFS_SIZE = "64m";

  /** In the state directory while a container with secrets is created but not yet started. */
  private static final String AWAITING_START = "awaiting-start";

  private TaskFiles() {}

  /** Before {@code create}: the container will wait for its secrets. */
  static void awaitingStart(Path stateDir) throws IOException {
    Files.writeString(stateDir.resolve(AWAITING_START), "");
  }

  /** After {@code start}. */
  static void started(Path stateDir) throws IOException {
    Files.deleteIfExists(stateDir.resolve(AWAITING_START));
  }

  /**
   * For an adopted container: true when an earlier daemon created it and ended before writing its secrets and
   * starting it. Its init would wait forever; the caller deletes it, so the task ends and is replaced.
   */
  static boolean neverStarted(Path stateDir) {
    return Files.exists(stateDir.resolve(AWAITING_START)) && !Files.exists(stateDir.resolve("exit"));
  }

  static List<ContainerSpec.SecretReference> secretRefs(Task task) {
    ContainerSpec c = task.spec == null ? null : task.spec.containerSpec;
    return c == null || c.secrets == null ? List.of() : c.secrets;
  }

  /**
   * The mounts of {@code config.json}: the empty secrets tmpfs (when the task has secrets) and a read-only bind of
   * each config file, written now under {@code stateDir}.
   *
   * @throws IOException a referenced secret or config was not given to this node, or a file cannot be written
   */
  static List<Map<String, Object>> mounts(Task task, TaskDependencies deps, Path stateDir, UsernsRemap userns)
      throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    List<ContainerSpec.SecretReference> secrets = secretRefs(task);
    for (ContainerSpec.SecretReference r : secrets) {
      if (deps == null || deps.secret(r.secretId) == null) {
        throw new IOException("secret " + r.secretName + " (" + r.secretId + ") was not given to this node; the "
            + "task cannot start without it");
      }
    }
    if (!secrets.isEmpty()) {
      out.add(OciSpec.mount(SECRETS_DIR, "tmpfs", "tmpfs",
          List.of("nosuid", "nodev", "noexec", "mode=0755", "size=" + SECRETS_TMPFS_SIZE)));
    }
    ContainerSpec c = task.spec == null ? null : task.spec.containerSpec;
    if (c == null || c.configs == null) {
      return out;
    }
    Path dir = stateDir.resolve("configs");
    int i = 0;
    for (ContainerSpec.ConfigReference r : c.configs) {
      if (r == null || r.file == null) {
        continue; // a runtime config (Windows credential specs): nothing to mount
      }
      Config cfg = deps == null ? null : deps.config(r.configId);
      if (cfg == null || cfg.spec == null || cfg.spec.data == null) {
        throw new IOException("config " + r.configName + " (" + r.configId + ") was not given to this node; the "
            + "task cannot start without it");
      }
      Files.createDirectories(dir);
      Path f = dir.resolve(Integer.toString(i++));
      Files.deleteIfExists(f);
      Files.write(f, Base64Data.decode(cfg.spec.data));
      own(f, r.file, userns);
      String target = r.file.name.startsWith("/") ? r.file.name : "/" + r.file.name;
      out.add(OciSpec.mount(target, "bind", f.toString(), List.of("rbind", "ro", "rprivate")));
    }
    return out;
  }

  /**
   * Writes the task's secrets into the secrets tmpfs of the created (not yet started) container whose init is
   * {@code pid}. Refuses when {@code /run} or {@code /run/secrets} of the image is a symbolic link or the tmpfs is
   * not there, so that nothing is written outside the container's tmpfs. With {@code userns} the tmpfs belongs to
   * the container's user namespace, where host root has no id: the files are created as the remapped root
   * ({@link FsIds}) and then owned through the mapping.
   */
  static void writeSecrets(Task task, TaskDependencies deps, long pid, UsernsRemap userns) throws IOException {
    Path root = Path.of("/proc", Long.toString(pid), "root");
    Path run = root.resolve("run");
    Path dir = run.resolve("secrets");
    if (!Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        || dev(run).equals(dev(dir))) {
      throw new IOException("the container has no secrets tmpfs at " + SECRETS_DIR + " (is /run a symbolic link in "
          + "the image?); its secrets were not written");
    }
    for (ContainerSpec.SecretReference r : secretRefs(task)) {
      Secret s = deps == null ? null : deps.secret(r.secretId);
      if (s == null || s.spec == null || s.spec.data == null) {
        throw new IOException("secret " + r.secretName + " (" + r.secretId + ") was withdrawn from this node before "
            + "the task started");
      }
      Path target = secretPath(dir, r);
      byte[] data = Base64Data.decode(s.spec.data);
      try {
        if (userns == null) {
          create(dir, target, data);
        } else {
          FsIds.as(userns.rootUid(), userns.rootGid(), () -> create(dir, target, data));
        }
      } finally {
        Arrays.fill(data, (byte) 0);
      }
      own(target, r.file, userns);
    }
  }

  /** Where secret {@code r} goes under {@code dir} (its name checked: no empty, {@code .} or {@code ..} part). */
  private static Path secretPath(Path dir, ContainerSpec.SecretReference r) throws IOException {
    String name = r.file.name.startsWith(SECRETS_DIR + "/") ? r.file.name.substring(SECRETS_DIR.length() + 1)
        : r.file.name;
    Path target = dir;
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IOException("secret " + r.secretName + ": bad file name \"" + r.file.name + "\"");
      }
      target = target.resolve(part);
    }
    return target;
  }

  /** Creates {@code target} (and the directories between {@code dir} and it) holding {@code data}, mode 0600. */
  private static void create(Path dir, Path target, byte[] data) throws IOException {
    for (Path d = dir; !d.equals(target.getParent()); ) {
      d = d.resolve(target.getName(d.getNameCount()));
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      }
    }
    try (SeekableByteChannel ch = Files.newByteChannel(target, Set.<java.nio.file.OpenOption>of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  /**
   * Owner and mode of a secret or config file from its reference (UID/GID 0 and mode 0444 unless given); with
   * {@code userns}, the host ids those container ids map to.
   */
  private static void own(Path f, ContainerSpec.FileTarget t, UsernsRemap userns) throws IOException {
    int uid = t.uid == null || t.uid.isEmpty() ? 0 : Integer.parseUnsignedInt(t.uid);
    int gid = t.gid == null || t.gid.isEmpty() ? 0 : Integer.parseUnsignedInt(t.gid);
    if (userns != null) {
      UsernsSetup.own(f, userns, Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid));
    } else {
      Files.setAttribute(f, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(f, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
    Files.setPosixFilePermissions(f, permissions(t.mode == null ? DEFAULT_MODE : t.mode));
  }

  static Set<PosixFilePermission> permissions(long mode) {
    Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1L << i)) != 0) {
        p.add(bits[i]);
      }
    }
    return p;
  }

  private static Object dev(Path p) throws IOException {
    return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
  }
}
