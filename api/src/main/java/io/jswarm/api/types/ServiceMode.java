package io.jswarm.api.types;

/**
 * How many tasks a service runs (Docker {@code ServiceMode}): exactly one member is set. JSON shape is
 * {@code {"Replicated": {"Replicas": 3}}} or {@code {"Global": {}}}; {@link Global} and {@link GlobalJob} are
 * empty objects whose presence is the setting. A spec with no mode at all means one replica, as in Docker.
 */
public class ServiceMode {
  public Replicated replicated;
  public Global global;
  public ReplicatedJob replicatedJob;
  public GlobalJob globalJob;

  /** Replicated mode with {@code replicas} tasks. */
  public static ServiceMode replicated(long replicas) {
    ServiceMode m = new ServiceMode();
    m.replicated = new Replicated();
    m.replicated.replicas = replicas;
    return m;
  }

  /** Global mode: one task on every eligible node. */
  public static ServiceMode global() {
    ServiceMode m = new ServiceMode();
    m.global = new Global();
    return m;
  }

  /** A replicated job: {@code MaxConcurrent} at a time until {@code TotalCompletions} have completed. */
  public static ServiceMode replicatedJob(long maxConcurrent, long totalCompletions) {
    ServiceMode m = new ServiceMode();
    m.replicatedJob = new ReplicatedJob();
    m.replicatedJob.maxConcurrent = maxConcurrent;
    m.replicatedJob.totalCompletions = totalCompletions;
    return m;
  }

  /** A global job: one task per eligible node, run to completion. */
  public static ServiceMode globalJobMode() {
    ServiceMode m = new ServiceMode();
    m.globalJob = new GlobalJob();
    return m;
  }

  /** True for the two job modes, whose tasks run to completion and which take no update config. */
  public boolean isJob() {
    return replicatedJob != null || globalJob != null;
  }

  /** A fixed number of tasks (Docker {@code ReplicatedService}). */
  public static class Replicated {
    public Long replicas;
  }

  /** One task per eligible node (Docker {@code GlobalService}). */
  public static class Global {}

  /**
   * Tasks run to completion (Docker {@code ReplicatedJob}): at most {@code MaxConcurrent} at a time until
   * {@code TotalCompletions} have completed.
   */
  public static class ReplicatedJob {
    public Long maxConcurrent;
    public Long totalCompletions;

    /** Tasks run at once: {@code MaxConcurrent}, 1 when unset or 0. */
    public long concurrency() {
      return maxConcurrent == null || maxConcurrent <= 0 ? 1 : maxConcurrent;
    }

    /** Completions wanted: {@code TotalCompletions}, or {@link #concurrency} when unset or 0 (Docker's default). */
    public long completions() {
      return totalCompletions == null || totalCompletions <= 0 ? concurrency() : totalCompletions;
    }
  }

  /** One task per eligible node, run to completion (Docker {@code GlobalJob}). */
  public static class GlobalJob {}
}
