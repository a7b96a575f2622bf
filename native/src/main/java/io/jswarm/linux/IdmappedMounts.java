package io.jswarm.linux;

import com.sun.jna.Memory;
import java.nio.file.Path;

/**
 * Idmapped mounts (Linux 5.12+; overlayfs takes idmapped layers from 5.19): a clone of a directory's mount whose
 * files appear with their owners shifted through a user namespace's mapping. With the mapping {@code 0 100000
 * 65536}, a file owned by 0 on disk appears owned by 100000 through the clone, which the container's root (uid
 * 100000 on the host) owns. The new mount API is used through syscall(2): {@code open_tree(OPEN_TREE_CLONE)},
 * {@code mount_setattr(MOUNT_ATTR_IDMAP)}, {@code move_mount}; each call is checked for errno.
 */
public final class IdmappedMounts {
  // the same numbers on every architecture (syscalls added after 5.1 share one table)
  static final long SYS_OPEN_TREE = 428;
  static final long SYS_MOVE_MOUNT = 429;
  static final long SYS_MOUNT_SETATTR = 442;
  static final int AT_FDCWD = -100;
  static final int AT_EMPTY_PATH = 0x1000;
  static final int AT_RECURSIVE = 0x8000;
  static final int OPEN_TREE_CLONE = 1;
  static final int O_CLOEXEC = 02000000;
  static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
  static final long MOUNT_ATTR_IDMAP = 0x00100000;
  /** {@code struct mount_attr}: attr_set, attr_clr, propagation, userns_fd (4 x u64). */
  static final int MOUNT_ATTR_SIZE = 32;

  private IdmappedMounts() {}

  /**
   * Mounts a clone of {@code source} (not its submounts) on {@code target} (an existing directory), idmapped
   * through the user namespace open as {@code usernsFd}.
   *
   * @throws LinuxException naming the call and errno (EINVAL from mount_setattr: the file system of
   *     {@code source} cannot be idmapped on this kernel)
   */
  public static void idmap(Path source, Path target, int usernsFd) {
    int tree = Libc.INSTANCE.syscall(SYS_OPEN_TREE, AT_FDCWD, source.toString(), OPEN_TREE_CLONE | O_CLOEXEC);
    if (tree < 0) {
      throw new LinuxException("open_tree", source.toString(), Errno.last());
    }
    try {
      Memory attr = new Memory(MOUNT_ATTR_SIZE);
      attr.clear();
      attr.setLong(0, MOUNT_ATTR_IDMAP);
      attr.setLong(24, usernsFd);
      if (Libc.INSTANCE.syscall(SYS_MOUNT_SETATTR, tree, "", AT_EMPTY_PATH, attr, MOUNT_ATTR_SIZE) != 0) {
        throw new LinuxException("mount_setattr", "MOUNT_ATTR_IDMAP " + source, Errno.last());
      }
      if (Libc.INSTANCE.syscall(SYS_MOVE_MOUNT, tree, "", AT_FDCWD, target.toString(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        throw new LinuxException("move_mount", source + " to " + target, Errno.last());
      }
    } finally {
      Libc.INSTANCE.close(tree);
    }
  }
}
