package io.jswarm.worker.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The limits a container's processes ran into, in words a user reads in {@code service ps}: today the pids limit
 * ({@code pids limit 32 reached (7 forks refused)}), read from the pids cgroup's {@code pids.events} "max"
 * counter (cgroup v1 and v2 name it alike) while the container runs, and from the monitor's exit file
 * ({@code PidsLimitHits}, read before the cgroup is deleted) once it has ended. OOM kills are the exit file's
 * {@code OOMKilled}, reported with the exit code.
 */
final class LimitWatch {
  private final long pidsLimit;
  private final Path pidsEvents;
  private volatile long pidsHits;

  /**
   * @param pidsLimit the container's pids limit (0: none, nothing to watch)
   * @param pidsCgroup the container's cgroup directory in the pids hierarchy
   */
  LimitWatch(long pidsLimit, Path pidsCgroup) {
    this.pidsLimit = pidsLimit;
    this.pidsEvents = pidsCgroup.resolve("pids.events");
  }

  /** Reads the counters of the running container; true when what {@link #reached} says changed. */
  boolean poll() {
    if (pidsLimit <= 0) {
      return false;
    }
    long hits = maxCounter(pidsEvents);
    if (hits > pidsHits) {
      pidsHits = hits;
      return true;
    }
    return false;
  }

  /** Takes the exit file's count (the last word: the monitor read it after the container's init ended). */
  void exited(long pidsLimitHits) {
    if (pidsLimitHits > pidsHits) {
      pidsHits = pidsLimitHits;
    }
  }

  /** The limits reached so far, e.g. {@code pids limit 32 reached (3 forks refused)}; null when none. */
  String reached() {
    long hits = pidsHits;
    if (hits <= 0) {
      return null;
    }
    return "pids limit " + pidsLimit + " reached (" + hits + (hits == 1 ? " fork" : " forks") + " refused)";
  }

  /** The value of the {@code max} line of a {@code pids.events} file; 0 when it is missing. */
  static long maxCounter(Path events) {
    try {
      for (String line : Files.readAllLines(events, StandardCharsets.US_ASCII)) {
        if (line.startsWith("max ")) {
          return Long.parseLong(line.substring(4).trim());
        }
      }
    } catch (NoSuchFileException e) {
      return 0; // not created yet, or already deleted
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
