package io.jswarm.scheduler;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A node as the scheduler sees it: the {@link Node} row plus what the tasks on it use — reserved NanoCPUs
 * and MemoryBytes, task counts per service and in total, and the host-mode published ports taken. Capacity is
 * {@code Description.Resources}; a node that reports none has none.
 *
 * <p>Mutable: {@link Scheduler#schedule} adds every task it places, so that later tasks of the same pass
 * see the reservations of earlier ones. Not thread-safe.
 */
public final class NodeInfo {
  private final Node node;
  private final long capacityNanoCPUs;
  private final long capacityMemoryBytes;
  private final boolean takesNewTasks;
  private long reservedNanoCPUs;
  private long reservedMemoryBytes;
  private int taskCount;
  private final Map<String, Integer> tasksByService = new HashMap<>();
  private final Set<String> hostPorts = new HashSet<>(0);

  private NodeInfo(Node node) {
    this.node = Objects.requireNonNull(node, "node");
    Resources r = node.description == null ? null : node.description.resources;
    capacityNanoCPUs = r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs;
    capacityMemoryBytes = r == null || r.memoryBytes == null ? 0 : r.memoryBytes;
    takesNewTasks = takesNewTasks(node);
  }

  /** Status {@code ready} and availability {@code active} (none set counts as active): the node may get new tasks. */
  public static boolean takesNewTasks(Node node) {
    boolean ready = node.status != null && "ready".equalsIgnoreCase(node.status.state);
    boolean active = node.spec == null || node.spec.availability == null
        || "active".equalsIgnoreCase(node.spec.availability);
    return ready && active;
  }

  /** A node with nothing on it. */
  public static NodeInfo of(Node node) {
    return new NodeInfo(node);
  }

  /**
   * A node with {@code tasks} on it. Only tasks that {@link #occupies occupy} this node count; others are
   * skipped, so a caller may pass every task that names the node. {@code servicesById} (may be empty)
   * supplies the host-mode ports of each task's service.
   */
  public static NodeInfo of(Node node, Collection<Task> tasks, Map<String, Service> servicesById) {
    NodeInfo n = new NodeInfo(node);
    for (Task t : tasks) {
      if (occupies(t) && node.id.equals(t.nodeId)) {
        n.addTask(t, servicesById.get(t.serviceId));
      }
    }
    return n;
  }

  /**
   * True when {@code t} holds resources on its node: it has a node and its observed state is between
   * ASSIGNED and RUNNING. PENDING tasks with a node (global services) do not, until the scheduler
   * confirms them; finished tasks no longer do.
   */
  public static boolean occupies(Task t) {
    if (t.nodeId == null || t.nodeId.isEmpty() || t.status == null || t.status.state == null) {
      return false;
    }
    int s = t.status.state.number();
    return s >= TaskState.ASSIGNED.number() && s <= TaskState.RUNNING.number();
  }

  /** Counts {@code task} as running here: its reservations, its service and its host ports. */
  public void addTask(Task task, Service service) {
    Resources r = task.spec == null || task.spec.resources == null ? null : task.spec.resources.reservations;
    reserve(task.serviceId, r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs,
        r == null || r.memoryBytes == null ? 0 : r.memoryBytes, TaskRequirements.hostPorts(service));
    if (task.status != null && task.status.portStatus != null) {
      TaskRequirements.addHostPorts(task.status.portStatus.ports, hostPorts);
    }
  }

  /**
   * Takes back what {@link #addTask} counted for {@code task}, given the same task and service it was added with:
   * for a caller that keeps a node's usage between passes and changes it task by task.
   */
  public void removeTask(Task task, Service service) {
    Resources r = task.spec == null || task.spec.resources == null ? null : task.spec.resources.reservations;
    reservedNanoCPUs -= r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs;
    reservedMemoryBytes -= r == null || r.memoryBytes == null ? 0 : r.memoryBytes;
    taskCount--;
    if (task.serviceId != null) {
      tasksByService.computeIfPresent(task.serviceId, (k, n) -> n <= 1 ? null : n - 1);
    }
    hostPorts.removeAll(TaskRequirements.hostPorts(service));
    if (task.status != null && task.status.portStatus != null) {
      Set<String> ports = new HashSet<>();
      TaskRequirements.addHostPorts(task.status.portStatus.ports, ports);
      hostPorts.removeAll(ports);
    }
  }

  /**
   * The same usage on {@code node} (a newer row of the same node): a pass places on copies, so that the usage a
   * caller keeps between passes only changes with the tasks it adds or removes itself.
   */
  public NodeInfo withNode(Node node) {
    NodeInfo n = new NodeInfo(node);
    n.reservedNanoCPUs = reservedNanoCPUs;
    n.reservedMemoryBytes = reservedMemoryBytes;
    n.taskCount = taskCount;
    n.tasksByService.putAll(tasksByService);
    n.hostPorts.addAll(hostPorts);
    return n;
  }

  /** Counts one more task with these requirements here. */
  void add(TaskRequirements r) {
    reserve(r.serviceId, r.nanoCPUs, r.memoryBytes, r.hostPorts);
  }

  private void reserve(String serviceId, long nanoCPUs, long memoryBytes, List<String> ports) {
    reservedNanoCPUs += nanoCPUs;
    reservedMemoryBytes += memoryBytes;
    taskCount++;
    if (serviceId != null) {
      tasksByService.merge(serviceId, 1, Integer::sum);
    }
    hostPorts.addAll(ports);
  }

  public Node node() {
    return node;
  }

  /**
   * Status {@code ready} and availability {@code active} (none set counts as active), as the node row was
   * when this NodeInfo was made.
   */
  public boolean takesNewTasks() {
    return takesNewTasks;
  }

  public String id() {
    return node.id;
  }

  public long capacityNanoCPUs() {
    return capacityNanoCPUs;
  }

  public long capacityMemoryBytes() {
    return capacityMemoryBytes;
  }

  public long reservedNanoCPUs() {
    return reservedNanoCPUs;
  }

  public long reservedMemoryBytes() {
    return reservedMemoryBytes;
  }

  public long availableNanoCPUs() {
    return capacityNanoCPUs - reservedNanoCPUs;
  }

  public long availableMemoryBytes() {
    return capacityMemoryBytes - reservedMemoryBytes;
  }

  /** {@link #reservedUse()} of a node whose reservations equal its capacity in one resource. */
  public static final long FULL = 1_000_000;

  /**
   * How much of the node its tasks reserve: the reserved share of its CPUs plus the reserved share of its
   * memory, each in millionths ({@link #FULL} = all of it); a resource the node reports no capacity of adds 0.
   * What binpack ranks nodes by.
   */
  public long reservedUse() {
    return share(reservedNanoCPUs, capacityNanoCPUs) + share(reservedMemoryBytes, capacityMemoryBytes);
  }

  private static long share(long reserved, long capacity) {
    if (capacity <= 0 || reserved <= 0) {
      return 0;
    }
    // reserved <= capacity in practice; doubles keep reserved * FULL from overflowing on terabyte nodes
    return (long) ((double) reserved / capacity * FULL);
  }

  /** Tasks on this node, all services. */
  public int taskCount() {
    return taskCount;
  }

  /** Tasks of {@code serviceId} on this node. */
  public int taskCount(String serviceId) {
    Integer n = tasksByService.get(serviceId);
    return n == null ? 0 : n;
  }

  /** True when a task here publishes {@code protocol/port} in host mode ({@code protocol} tcp, udp or sctp). */
  public boolean hostPortInUse(String protocol, long port) {
    return hostPorts.contains(protocol + "/" + port);
  }

  boolean hostPortInUse(String key) {
    return hostPorts.contains(key);
  }

  @Override
  public String toString() {
    return "NodeInfo{" + node.id + ", tasks=" + taskCount + ", reserved=" + reservedNanoCPUs + "ns/"
        + reservedMemoryBytes + "B of " + capacityNanoCPUs + "ns/" + capacityMemoryBytes + "B}";
  }
}
