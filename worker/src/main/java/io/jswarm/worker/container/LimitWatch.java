package io.jswarm.worker.container;

import io.jswarm.api.validation.ByteSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The limits a container's processes ran into, in words a user reads in {@code service ps}:
 * <ul>
 *   <li>the pids limit ({@code pids limit 32 reached (7 forks refused)}), read from the pids cgroup's
 *       {@code pids.events} "max" counter (cgroup v1 and v2 name it alike) while the container runs, and from the
 *       monitor's exit file ({@code PidsLimitHits}, read before the cgroup is deleted) once it has ended;</li>
 *   <li>a sized volume that is full ({@code volume data full (10MiB limit, 1020KiB free)}): its file system has
 *       less than {@link #FULL_BELOW} free (statfs), so writes there fail with ENOSPC.</li>
 * </ul>
 * OOM kills are the exit file's {@code OOMKilled}, reported with the exit code. Once reached, a limit stays in the
 * report (a full volume that is emptied again is still the likely cause of an error the task met).
 */
final class LimitWatch {
  /**
   * Free bytes below which a sized volume counts as full: ext4 refuses a whole write that does not fit (no short
   * write), so after {@code dd bs=1M} hit ENOSPC up to 1 MiB may still be free; a tenth of a smaller volume.
   */
  static final long FULL_BELOW = 1L << 20;

  private final long pidsLimit;
  private final Path pidsEvents;
  private final List<SizedVolume> volumes = new CopyOnWriteArrayList<>();
  private volatile long pidsHits;

  /** A volume with a size the task mounts. */
  private static final class SizedVolume {
    final String name;
    final Path data;
    final long bytes;
    volatile boolean full;
    volatile long free;

    SizedVolume(String name, Path data, long bytes) {
      this.name = name;
      this.data = data;
      this.bytes = bytes;
    }
  }

  /**
   * @param pidsLimit the container's pids limit (0: none, nothing to watch)
   * @param pidsCgroup the container's cgroup directory in the pids hierarchy
   */
  LimitWatch(long pidsLimit, Path pidsCgroup) {
    this.pidsLimit = pidsLimit;
    this.pidsEvents = pidsCgroup.resolve("pids.events");
  }

  /** Watches volume {@code name} mounted from {@code data}, whose size is {@code bytes}. */
  void volume(String name, Path data, long bytes) {
    volumes.add(new SizedVolume(name, data, bytes));
  }

  /** Reads the counters of the running container; true when what {@link #reached} says changed. */
  boolean poll() {
    boolean changed = false;
    if (pidsLimit > 0) {
      long hits = maxCounter(pidsEvents);
      if (hits > pidsHits) {
        pidsHits = hits;
        changed = true;
      }
    }
    for (SizedVolume v : volumes) {
      if (!v.full) {
        try {
          long free = Files.getFileStore(v.data).getUsableSpace();
          if (free < Math.min(FULL_BELOW, v.bytes / 10)) {
            v.free = free;
            v.full = true;
            changed = true;
          }
        } catch (IOException e) {
          // unmounted meanwhile (the volume was removed): nothing to say
        }
      }
    }
    return changed;
  }

  /** Takes the exit file's count (the last word: the monitor read it after the container's init ended). */
  void exited(long pidsLimitHits) {
    if (pidsLimitHits > pidsHits) {
      pidsHits = pidsLimitHits;
    }
    poll();
  }

  /** The limits reached so far, e.g. {@code pids limit 32 reached (3 forks refused)}; null when none. */
  String reached() {
    List<String> out = new ArrayList<>();
    long hits = pidsHits;
    if (hits > 0) {
      out.add("pids limit " + pidsLimit + " reached (" + hits + (hits == 1 ? " fork" : " forks") + " refused)");
    }
    for (SizedVolume v : volumes) {
      if (v.full) {
        out.add("volume " + v.name + " full (" + ByteSize.human(v.bytes) + " limit, " + ByteSize.human(v.free)
            + " free): writes there fail with ENOSPC");
      }
    }
    return out.isEmpty() ? null : String.join("; ", out);
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
