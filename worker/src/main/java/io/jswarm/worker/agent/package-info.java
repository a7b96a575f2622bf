/**
 * The worker agent: one session to the leader's dispatcher ({@link io.jswarm.worker.agent.Agent}), one
 * {@link io.jswarm.worker.agent.TaskController} per assigned task, and the {@link io.jswarm.worker.agent.Executor}
 * that runs tasks ({@link io.jswarm.worker.agent.SimulatedExecutor} for tests and benchmarks; the container
 * runtime in issue 4).
 */
package io.jswarm.worker.agent;
