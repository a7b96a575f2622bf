package io.jswarm.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user namespace with a given uid/gid mapping, held open by a file descriptor: what {@link IdmappedMounts} needs.
 * A JVM cannot unshare(CLONE_NEWUSER) itself (it has threads), so a child process is started in a new user
 * namespace ({@code unshare --user sleep}, util-linux), its {@code uid_map} and {@code gid_map} are written (we
 * are root), its {@code /proc/PID/ns/user} is opened, and the child is killed: the descriptor keeps the namespace
 * alive until {@link #close}.
 */
public final class UserNamespace implements AutoCloseable {
  /** One line of {@code uid_map}/{@code gid_map}: ids {@code inside..inside+size-1} are {@code outside..} outside. */
  public record IdRange(long inside, long outside, long size) {
    String line() {
      return inside + " " + outside + " " + size + "\n";
    }
  }

  private static final long START_TIMEOUT_MS = 5000;
  private final int fd;

  private UserNamespace(int fd) {
    this.fd = fd;
  }

  /** The descriptor of the namespace ({@code O_RDONLY} on {@code /proc/PID/ns/user}). */
  public int fd() {
    return fd;
  }

  /**
   * A new user namespace mapping {@code uids} and {@code gids}.
   *
   * @throws IOException when {@code unshare} is missing or fails, or the maps cannot be written
   */
  public static UserNamespace create(List<IdRange> uids, List<IdRange> gids) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder("unshare", "--user", "sleep", "60").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IOException("cannot start a process in a new user namespace (unshare from util-linux): "
          + e.getMessage(), e);
    }
    try {
      Path proc = Path.of("/proc", Long.toString(p.pid()));
      Path ns = proc.resolve("ns/user");
      String own = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
      // unshare execs sleep once it is in the new namespace: wait until the link differs from ours
      while (!p.isAlive() || own.equals(readLink(ns))) {
        if (!p.isAlive()) {
          throw new IOException("unshare --user ended at once (exit " + p.exitValue() + "): user namespaces are "
              + "not available (see /proc/sys/user/max_user_namespaces)");
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("unshare --user did not enter a new user namespace within " + START_TIMEOUT_MS
              + " ms");
        }
        Thread.sleep(2);
      }
      Files.writeString(proc.resolve("uid_map"), lines(uids));
      Files.writeString(proc.resolve("gid_map"), lines(gids));
      int fd = Libc.INSTANCE.open(ns.toString(), 0 /* O_RDONLY */ | IdmappedMounts.O_CLOEXEC, 0);
      if (fd < 0) {
        throw new LinuxException("open", ns.toString(), Errno.last());
      }
      return new UserNamespace(fd);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making a user namespace", e);
    } finally {
      p.destroyForcibly();
    }
  }

  private static String readLink(Path p) {
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (IOException e) {
      return null; // not there yet
    }
  }

  private static String lines(List<IdRange> ranges) {
    StringBuilder b = new StringBuilder();
    ranges.forEach(r -> b.append(r.line()));
    return b.toString();
  }

  @Override
  public void close() {
    Libc.INSTANCE.close(fd);
  }
}
