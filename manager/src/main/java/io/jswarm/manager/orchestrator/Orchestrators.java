package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.MemoryStore;
import java.time.Clock;

/**
 * The leader-only orchestration loops of one manager: replicated, global and job orchestrators (sharing one
 * {@link RestartSupervisor}) and the {@link TaskReaper}. The daemon calls {@link #start()} when this manager
 * becomes Raft leader and {@link #stop()} when it stops being leader; in-memory state (restart history and
 * delayed restarts) is dropped on stop, since only the leader acts.
 */
public final class Orchestrators {
  private final RestartSupervisor restarts;
  private final ReplicatedOrchestrator replicated;
  private final GlobalOrchestrator global;
  private final JobOrchestrator jobs;
  private final TaskReaper reaper;

  public Orchestrators(MemoryStore store, Clock clock) {
    this(store, clock, new io.jswarm.transport.metrics.Metrics());
  }

  /** With the daemon's metrics registry ({@link OrchestratorMetrics}). */
  public Orchestrators(MemoryStore store, Clock clock, io.jswarm.transport.metrics.Metrics metrics) {
    OrchestratorMetrics counters = new OrchestratorMetrics(metrics);
    this.restarts = new RestartSupervisor(counters);
    this.replicated = new ReplicatedOrchestrator(store, clock, restarts);
    this.global = new GlobalOrchestrator(store, clock, restarts);
    this.jobs = new JobOrchestrator(store, clock, restarts);
    this.reaper = new TaskReaper(store, clock, counters);
  }

  /** Starts every loop (each first reconciles everything). Idempotent. */
  public synchronized void start() {
    replicated.start();
    global.start();
    jobs.start();
    reaper.start();
  }

  /** Stops every loop and waits for their threads; drops leader-only memory. Idempotent. */
  public synchronized void stop() {
    reaper.stop();
    jobs.stop();
    global.stop();
    replicated.stop();
    restarts.clear();
  }

  public boolean isRunning() {
    return replicated.isRunning();
  }

  /** One synchronous pass of every loop, in order (replicated, global, jobs, reaper): for tests and tools. */
  public void reconcileAll() {
    replicated.reconcileAll();
    global.reconcileAll();
    jobs.reconcileAll();
    reaper.reconcileAll();
  }

  public ReplicatedOrchestrator replicated() {
    return replicated;
  }

  public GlobalOrchestrator global() {
    return global;
  }

  public JobOrchestrator jobs() {
    return jobs;
  }

  public TaskReaper reaper() {
    return reaper;
  }

  public RestartSupervisor restarts() {
    return restarts;
  }
}
