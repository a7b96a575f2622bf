package io.jswarm.api.types;

/** Upper bounds a task's container runs under (Docker {@code Limit}); 0 or absent means unlimited. */
public class Limit {
  public Long nanoCPUs;
  public Long memoryBytes;
  public Long pids;
  /**
   * jswarm extension: the CPUs the task may run on, in cpuset list form ({@code 0-3,6}); absent means all.
   * Enforced with the cpuset cgroup.
   */
  public String cpuset;
}
