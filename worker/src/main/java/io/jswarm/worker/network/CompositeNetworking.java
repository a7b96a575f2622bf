package io.jswarm.worker.network;

import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's task networking: the task bridge ({@link BridgeNetworking}) makes the task's namespace with
 * {@code eth0} (default route, NAT, host-mode ports), then {@link OverlayNetworking} plugs the same namespace into
 * each overlay network of the task ({@code eth1}, ...). The sandbox's addresses are the bridge address followed by
 * the overlay addresses. Release goes the other way round.
 */
public final class CompositeNetworking implements TaskNetworking {
  private final BridgeNetworking bridge;
  private final OverlayNetworking overlay;
  /** Sandboxes that are not tasks' (the routing mesh's), kept by {@link #retainOnly}. */
  private final Set<String> pinned = ConcurrentHashMap.newKeySet();

  public CompositeNetworking(BridgeNetworking bridge, OverlayNetworking overlay) {
    this.bridge = bridge;
    this.overlay = overlay;
  }

  public BridgeNetworking bridge() {
    return bridge;
  }

  public OverlayNetworking overlay() {
    return overlay;
  }

  @Override
  public Sandbox create(Task task) throws Exception {
    Sandbox s = bridge.create(task);
    List<String> overlayAddresses;
    try {
      overlayAddresses = overlay.attach(task, s.netns());
    } catch (Exception | Error e) {
      try {
        bridge.release(task.id);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    if (overlayAddresses.isEmpty()) {
      return s;
    }
    List<String> addresses = new ArrayList<>(s.addresses());
    addresses.addAll(overlayAddresses);
    return new Sandbox(s.netns(), List.copyOf(addresses), s.hostsEntries(), s.nameservers(), s.publishedPorts());
  }

  @Override
  public void release(String taskId) throws Exception {
    try {
      overlay.release(taskId);
    } finally {
      bridge.release(taskId);
    }
  }

  @Override
  public void retainOnly(Set<String> taskIds) throws Exception {
    Set<String> keep = new HashSet<>(taskIds);
    keep.addAll(pinned);
    try {
      overlay.retainOnly(keep, bridge::netnsPath); // kept tasks' overlay sandboxes are adopted
    } finally {
      bridge.retainOnly(keep);
    }
  }

  /** Keeps sandbox {@code id} through {@link #retainOnly} (a sandbox that is no task's, e.g. the routing mesh's). */
  public void pin(String id) {
    pinned.add(id);
  }

  public void unpin(String id) {
    pinned.remove(id);
  }

  /** Removes every overlay sandbox, then the bridge and its sandboxes: the node leaves the swarm. */
  public void teardown() throws Exception {
    try {
      overlay.teardown();
    } finally {
      bridge.teardown();
    }
  }
}
