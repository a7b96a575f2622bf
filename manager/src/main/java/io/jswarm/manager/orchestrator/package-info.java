/**
 * Leader-only orchestration (issue 3 item 5): the loops that turn services into tasks and clean them up.
 *
 * <ul>
 *   <li>{@link io.jswarm.manager.orchestrator.ReplicatedOrchestrator}: slots 1..Replicas, one runnable task each;
 *       scale down removes the highest slots; drained or down nodes get their tasks replaced.
 *   <li>{@link io.jswarm.manager.orchestrator.GlobalOrchestrator}: one task per eligible node, created with
 *       {@code NodeID} preset.
 *   <li>{@link io.jswarm.manager.orchestrator.RestartSupervisor}: restart policy (condition, delay, attempts in
 *       a window) for tasks that stopped while they should run; shared by both orchestrators.
 *   <li>{@link io.jswarm.manager.orchestrator.Updater}: minimal stop-first rolling update.
 *   <li>{@link io.jswarm.manager.orchestrator.TaskReaper}: task history retention and deletion of removed tasks.
 * </ul>
 *
 * <p>Every loop is a reconciliation that tests call synchronously plus a {@code viewAndWatch} event loop
 * ({@code start()}/{@code stop()}); {@link io.jswarm.manager.orchestrator.Orchestrators} starts and stops them
 * all when this manager gains or loses Raft leadership. A "runnable" task is one whose desired state is at most
 * {@code RUNNING}; the invariant kept is at most one runnable task per slot (replicated) or per node (global).
 */
package io.jswarm.manager.orchestrator;
