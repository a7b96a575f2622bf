package io.jswarm.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Network namespaces named by a file (a bind mount of an nsfs inode, as {@code ip netns} keeps them under
 * {@code /run/netns}).
 *
 * <p>The kernel keeps the network namespace per thread, not per process: {@code setns(fd, CLONE_NEWNET)} and
 * {@code unshare(CLONE_NEWNET)} change only the calling thread. So {@link #run} enters the namespace on a
 * dedicated thread that ends with the callable and is never reused. Everything that picks up "the current
 * netns" on that thread lives in the entered namespace: sockets it creates (a netlink socket keeps its
 * namespace for life, whichever thread uses it later), files under {@code /proc/sys/net} it opens, and child
 * processes it starts — {@code ProcessBuilder.start()} forks (vfork/posix_spawn) from the calling thread, and
 * the child inherits that thread's namespaces, not the JVM main thread's.
 */
public final class NetNs {
  public static final int CLONE_NEWNET = 0x40000000;
  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;

  private NetNs() {}

  /** Runs {@code body} on a fresh thread that first enters the network namespace named by {@code netns}. */
  public static <T> T run(Path netns, Callable<T> body) throws Exception {
    return onThread("netns " + netns, () -> {
      int fd = openFd(netns);
      try {
        if (Libc.INSTANCE.setns(fd, CLONE_NEWNET) != 0) {
          throw new LinuxException("setns", netns + ", CLONE_NEWNET", Errno.last());
        }
      } finally {
        Libc.INSTANCE.close(fd);
      }
      return body.call();
    });
  }

  /** Like {@link #run} but for bodies that throw nothing checked; {@code netns} null runs on the caller's thread. */
  public static <T> T call(Path netns, Callable<T> body) {
    try {
      return netns == null ? body.call() : run(netns, body);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Creates a new, empty network namespace (only a down loopback) and pins it by bind-mounting it onto
   * {@code file} (created if absent; its parent directory must exist). Fails with EBUSY-like errors if the file
   * is already a mount point.
   */
  public static void create(Path file) {
    if (Mounts.isMountPoint(file)) {
      throw new LinuxException("mount", "netns file " + file + " is already a mounted namespace", Errno.EEXIST);
    }
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
      onThread("create netns " + file, () -> {
        if (Libc.INSTANCE.unshare(CLONE_NEWNET) != 0) {
          throw new LinuxException("unshare", "CLONE_NEWNET", Errno.last());
        }
        Mounts.mount("/proc/thread-self/ns/net", file, "none", Mounts.MS_BIND, null);
        return null;
      });
    } catch (RuntimeException e) {
      deleteQuietly(file);
      throw e;
    } catch (Exception e) {
      deleteQuietly(file);
      throw new IllegalStateException("create netns " + file + ": " + e.getMessage(), e);
    }
  }

  /** Unmounts and removes a namespace file; a missing file is not an error. */
  public static void delete(Path file) {
    Mounts.unmount(file, true);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("remove netns file " + file, e);
    }
  }

  /** Whether {@code file} is a mounted namespace file. */
  public static boolean exists(Path file) {
    return Files.exists(file) && Mounts.isMountPoint(file);
  }

  /** Opens the namespace file read-only (close-on-exec); the caller closes the fd with {@link #close(int)}. */
  public static int openFd(Path netns) {
    int fd = Libc.INSTANCE.open(netns.toString(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
      throw new LinuxException("open", netns.toString(), Errno.last());
    }
    return fd;
  }

  public static void close(int fd) {
    Libc.INSTANCE.close(fd);
  }

  private static void deleteQuietly(Path file) {
    try {
      delete(file);
    } catch (RuntimeException ignored) {
      // best effort after a failed create
    }
  }

  private static <T> T onThread(String what, Callable<T> body) throws Exception {
    FutureTask<T> task = new FutureTask<>(body);
    Thread t = new Thread(task, "netns-" + what);
    t.setDaemon(true);
    t.start();
    try {
      return task.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception) {
        throw (Exception) c;
      }
      throw new IllegalStateException(what + ": " + c, c);
    }
  }
}
