package io.jswarm.worker.container;

import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;

/**
 * A task's cgroup limits, from its {@code Resources.Limits}: memory bytes, CPU quota per period (from
 * NanoCPUs: 1.5 CPUs = 150 ms per 100 ms), the pids limit and the cpuset (a jswarm extension). 0 / null mean
 * unlimited.
 */
record Limits(long memoryBytes, long cpuQuota, long cpuPeriod, long pids, String cpuset) {
  static final long CPU_PERIOD_US = 100_000;

  static Limits of(ResourceRequirements r) {
    Limit l = r == null ? null : r.limits;
    if (l == null) {
      return new Limits(0, 0, CPU_PERIOD_US, 0, null);
    }
    long mem = l.memoryBytes == null ? 0 : l.memoryBytes;
    long nano = l.nanoCPUs == null ? 0 : l.nanoCPUs;
    long quota = nano <= 0 ? 0 : Math.max(1000, nano * CPU_PERIOD_US / 1_000_000_000L);
    long pids = l.pids == null ? 0 : l.pids;
    String cpuset = l.cpuset == null || l.cpuset.isBlank() ? null : l.cpuset.trim();
    if (cpuset != null && !cpuset.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
      throw new IllegalArgumentException("Resources.Limits.Cpuset: \"" + cpuset
          + "\" is not a CPU list; expected e.g. 0-3 or 0,2");
    }
    return new Limits(mem, quota, CPU_PERIOD_US, pids, cpuset);
  }
}
