package io.jswarm.worker.network;

import io.jswarm.api.types.Task;

/**
 * The network side of a task on this node. The executor asks for a {@link Sandbox} before it starts the
 * container and runs the container in the sandbox's network namespace (the OCI bundle's {@code linux.namespaces}
 * entry {@code {"type":"network","path":...}}); it releases the sandbox once the task is removed.
 *
 * <p>Issue 4: a node-local bridge (like Docker's {@code docker_gwbridge}) with one veth per task, outbound NAT,
 * and host-mode published ports (nftables DNAT). Issue 5 adds overlay attachments.
 */
public interface TaskNetworking {
  /** Creates (or, for a task already set up by an earlier daemon process, finds) the task's sandbox. */
  Sandbox create(Task task) throws Exception;

  /** Removes the sandbox of {@code taskId} and everything it holds (netns, veth, addresses, port rules). Idempotent. */
  void release(String taskId) throws Exception;

  /** Reconcile after a daemon restart: releases every sandbox on this node whose task is not in {@code taskIds}. */
  void retainOnly(java.util.Set<String> taskIds) throws Exception;

  /** No networking: the runtime gives the container a fresh network namespace holding only loopback. */
  TaskNetworking NONE = new TaskNetworking() {
    @Override
    public Sandbox create(Task task) {
      return new Sandbox(null, java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of());
    }

    @Override
    public void release(String taskId) {}

    @Override
    public void retainOnly(java.util.Set<String> taskIds) {}
  };
}
