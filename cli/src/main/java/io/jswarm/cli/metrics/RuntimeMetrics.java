package io.jswarm.cli.metrics;

import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.worker.container.CgroupUsage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import com.codahale.metrics.Counter;

/**
 * This node's tasks as its agent runs them: tasks by state, per-task memory and CPU from their cgroups, and OOM
 * kills. Read at each scrape from the agent's statuses (none while the node is in no swarm).
 */
public final class RuntimeMetrics {
  static final String OOM = "OOM killed";

  private final Metrics metrics;
  private final Supplier<Map<String, Task.TaskStatus>> statuses;
  private final String cgroupParent;
  private final boolean containers;
  private final Counter oomKills;
  private final Set<String> oomSeen = new HashSet<>();
  private volatile Map<String, Long> byState = Map.of();

  /**
   * @param statuses the agent's task statuses (an empty map when there is no agent)
   * @param containers whether tasks run as containers (false: the simulated executor, no cgroups to read)
   */
  public RuntimeMetrics(Metrics metrics, Supplier<Map<String, Task.TaskStatus>> statuses, String cgroupParent,
      boolean containers) {
    this.metrics = metrics;
    this.statuses = statuses;
    this.cgroupParent = cgroupParent;
    this.containers = containers;
    this.oomKills = metrics.counter("jswarm_runtime_oom_kills_total", "Task containers the kernel OOM-killed.");
    for (TaskState s : TaskState.values()) {
      String st = s.json();
      metrics.gauge("jswarm_runtime_tasks", "Tasks this node's agent holds, by the state it reports.",
          () -> byState.getOrDefault(st, 0L), "state", st);
    }
    metrics.beforeScrape(this::refresh);
  }

  private synchronized void refresh() {
    Map<String, Task.TaskStatus> now = statuses.get();
    Map<String, Long> counts = new HashMap<>();
    metrics.removeAll("jswarm_runtime_task_memory_bytes");
    metrics.removeAll("jswarm_runtime_task_cpu_seconds_total");
    for (Map.Entry<String, Task.TaskStatus> e : now.entrySet()) {
      Task.TaskStatus st = e.getValue();
      TaskState state = st == null || st.state == null ? TaskState.NEW : st.state;
      counts.merge(state.json(), 1L, Long::sum);
      if (st != null && st.err != null && st.err.contains(OOM) && oomSeen.add(e.getKey())) {
        oomKills.inc();
      }
      if (containers && state == TaskState.RUNNING) {
        CgroupUsage u = CgroupUsage.of(cgroupParent, e.getKey());
        if (u.memoryBytes() >= 0) {
          metrics.gauge("jswarm_runtime_task_memory_bytes", "Memory a running task's cgroup uses.",
              u::memoryBytes, "task_id", e.getKey());
        }
        if (u.cpuSeconds() >= 0) {
          metrics.gauge("jswarm_runtime_task_cpu_seconds_total", "CPU time a running task's cgroup used, in seconds.",
              u::cpuSeconds, "task_id", e.getKey());
        }
      }
    }
    oomSeen.retainAll(now.keySet());
    byState = counts;
  }
}
