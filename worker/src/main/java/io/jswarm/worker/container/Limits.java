package io.jswarm.worker.container;

import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;

/**
 * A task's cgroup limits, from its {@code Resources.Limits}: memory bytes, CPU quota per period (from
 * NanoCPUs: 1.5 CPUs = 150 ms per 100 ms), the pids limit, and the cpuset and block I/O weight (jswarm
 * extensions). 0 / null mean unlimited (the default weight).
 */
record Limits(long memoryBytes, long cpuQuota, long cpuPeriod, long pids, String cpuset, long blkioWeight) {
  static final long CPU_PERIOD_US = 100_000;

  static Limits of(ResourceRequirements r) {
    Limit l = r == null ? null : r.limits;
    if (l == null) {
      return new Limits(0, 0, CPU_PERIOD_US, 0, null, 0);
    }
    long mem = l.memoryBytes == null ? 0 : l.memoryBytes;
    long nano = l.nanoCPUs == null ? 0 : l.nanoCPUs;
    long quota = nano <= 0 ? 0 : Math.max(1000, nano * CPU_PERIOD_US / 1_000_000_000L);
    long pids = l.pids == null ? 0 : l.pids;
    String cpuset = l.cpuset == null || l.cpuset.isBlank() ? null : l.cpuset.trim();
    if (cpuset != null && !cpuset.matches(Limit.CPU_LIST)) {
      throw new IllegalArgumentException("Resources.Limits.Cpuset: \"" + cpuset
          + "\" is not a CPU list; expected e.g. 0-3 or 0,2");
    }
    long weight = l.blkioWeight == null ? 0 : l.blkioWeight;
    if (weight != 0 && (weight < 10 || weight > 1000)) {
      throw new IllegalArgumentException("Resources.Limits.BlkioWeight: " + weight + " is out of range; expected "
          + "10-1000 (0 = the default)");
    }
    return new Limits(mem, quota, CPU_PERIOD_US, pids, cpuset, weight);
  }

  /** These limits with the default block I/O weight (for a node whose kernel cannot weight I/O). */
  Limits withoutBlkioWeight() {
    return new Limits(memoryBytes, cpuQuota, cpuPeriod, pids, cpuset, 0);
  }
}
