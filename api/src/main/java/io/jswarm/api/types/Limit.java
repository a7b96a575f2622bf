package io.jswarm.api.types;

/** Upper bounds a task's container runs under (Docker {@code Limit}); 0 or absent means unlimited. */
public class Limit {
  /** The form of {@link #cpuset}: {@code 0-3}, {@code 0,2}, {@code 0-1,4}. */
  public static final String CPU_LIST = "[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*";

  public Long nanoCPUs;
  public Long memoryBytes;
  public Long pids;
  /**
   * jswarm extension: the CPUs the task may run on, in cpuset list form ({@code 0-3,6}); absent means all.
   * Enforced with the cpuset cgroup.
   */
  public String cpuset;
  /**
   * jswarm extension: the task's relative block I/O weight, 10-1000 (Docker's {@code --blkio-weight} of
   * {@code docker run}, which Swarm services lack); absent or 0 means the default (100 with BFQ). Enforced with the
   * blkio cgroup ({@code blkio.weight}, or {@code blkio.bfq.weight} on kernels where only BFQ provides it); it only
   * has an effect on devices whose I/O scheduler is BFQ.
   */
  public Long blkioWeight;
  /**
   * jswarm extension: the most bits per second each of the task's network interfaces sends, and receives; absent or
   * 0 means unlimited. Enforced with traffic control in the task's network namespace: a token bucket (TBF) on
   * egress and a policer on ingress.
   */
  public Long bandwidth;
}
