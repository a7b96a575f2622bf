package io.jswarm.worker.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a task's container uses now, read from its cgroups (v1 controllers, as on this machine's hybrid layout):
 * memory in use ({@code memory.usage_in_bytes}) and CPU time ({@code cpuacct.usage}). -1 where the file is
 * missing (a simulated task, a container already removed).
 */
public record CgroupUsage(long memoryBytes, double cpuSeconds) {
  /** The usage of task {@code taskId} under cgroup parent {@code parent}. */
  public static CgroupUsage of(String parent, String taskId) {
    long mem = read(Cgroups.memory(parent, taskId).resolve("memory.usage_in_bytes"));
    long cpu = read(Cgroups.ROOT.resolve("cpuacct").resolve(parent).resolve(taskId).resolve("cpuacct.usage"));
    return new CgroupUsage(mem, cpu < 0 ? -1 : cpu / 1e9);
  }

  private static long read(Path p) {
    try {
      return Long.parseLong(Files.readString(p).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
