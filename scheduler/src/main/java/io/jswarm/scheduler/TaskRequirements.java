package io.jswarm.scheduler;

import io.jswarm.api.types.ConstraintMatcher;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What placing one task asks of a node, read once per group of identical tasks: the service, the reserved
 * NanoCPUs and MemoryBytes ({@code Spec.Resources.Reservations}), the parsed placement constraints, the
 * supported platforms, the host-mode published ports (from the service's endpoint: Docker keeps them there,
 * not in the task spec), the per-node replica cap and the spread descriptors in order of precedence.
 *
 * <p>A constraint that does not parse (the control API validates them, so only a corrupt row has one) makes
 * the task fit no node rather than be placed as if unconstrained.
 */
public final class TaskRequirements {
  final String serviceId;
  final long nanoCPUs;
  final long memoryBytes;
  final List<PlacementConstraint> constraints;
  /** Readers of each constraint's attribute, in the order of {@link #constraints}. */
  final List<Function<Node, String>> constraintAttributes;
  final boolean invalidConstraint;
  final List<Platform> platforms;
  final List<String> hostPorts;
  final long maxReplicas;
  final List<String> spreadDescriptors;
  final List<Function<Node, String>> spreadAttributes;
  /** {@code Placement.Strategy} is binpack: fullest fitting node first instead of least loaded. */
  final boolean binpack;

  private TaskRequirements(Task task, Service service) {
    serviceId = task.serviceId;
    Resources r = task.spec == null || task.spec.resources == null ? null : task.spec.resources.reservations;
    nanoCPUs = r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs;
    memoryBytes = r == null || r.memoryBytes == null ? 0 : r.memoryBytes;
    Placement p = task.spec == null ? null : task.spec.placement;
    List<PlacementConstraint> parsed = new ArrayList<>();
    boolean invalid = false;
    if (p != null && p.constraints != null) {
      for (String c : p.constraints) {
        try {
          parsed.add(PlacementConstraint.parse(c));
        } catch (InvalidArgumentException e) {
          invalid = true;
        }
      }
    }
    constraints = List.copyOf(parsed);
    List<Function<Node, String>> readers = new ArrayList<>(parsed.size());
    parsed.forEach(c -> readers.add(ConstraintMatcher.accessor(c.key())));
    constraintAttributes = List.copyOf(readers);
    invalidConstraint = invalid;
    platforms = p == null || p.platforms == null ? List.of() : List.copyOf(p.platforms);
    maxReplicas = p == null || p.maxReplicas == null ? 0 : p.maxReplicas;
    List<String> spread = new ArrayList<>();
    if (p != null && p.preferences != null) {
      for (Placement.Preference pref : p.preferences) {
        if (pref != null && pref.spread != null && pref.spread.spreadDescriptor != null) {
          spread.add(pref.spread.spreadDescriptor.trim());
        }
      }
    }
    spreadDescriptors = List.copyOf(spread);
    List<Function<Node, String>> spreadReaders = new ArrayList<>(spread.size());
    spread.forEach(d -> spreadReaders.add(ConstraintMatcher.accessor(d)));
    spreadAttributes = List.copyOf(spreadReaders);
    hostPorts = hostPorts(service);
    binpack = Placement.binpack(p);
  }

  /**
   * The requirements of {@code task}; {@code service} (may be null) supplies the host-mode published ports.
   */
  public static TaskRequirements of(Task task, Service service) {
    return new TaskRequirements(task, service);
  }

  public String serviceId() {
    return serviceId;
  }

  public long nanoCPUs() {
    return nanoCPUs;
  }

  public long memoryBytes() {
    return memoryBytes;
  }

  public List<PlacementConstraint> constraints() {
    return constraints;
  }

  /** Host-mode published ports as {@code protocol/port}, e.g. {@code tcp/8080}. */
  public List<String> hostPorts() {
    return hostPorts;
  }

  public long maxReplicas() {
    return maxReplicas;
  }

  public List<String> spreadDescriptors() {
    return spreadDescriptors;
  }

  /** True when the group packs tasks onto the fullest fitting node ({@code Placement.Strategy} binpack). */
  public boolean binpack() {
    return binpack;
  }

  /** The host-mode ports with a fixed published port that tasks of {@code service} take on their node. */
  static List<String> hostPorts(Service service) {
    if (service == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(0);
    if (service.spec != null && service.spec.endpointSpec != null) {
      addHostPorts(service.spec.endpointSpec.ports, out);
    }
    if (service.endpoint != null) {
      addHostPorts(service.endpoint.ports, out);
    }
    return out.isEmpty() ? List.of() : List.copyOf(out);
  }

  /** Adds {@code protocol/port} for each host-mode port with a published port, once. */
  static void addHostPorts(Collection<PortConfig> ports, Collection<String> into) {
    if (ports == null) {
      return;
    }
    for (PortConfig pc : ports) {
      if (pc != null && "host".equalsIgnoreCase(pc.publishMode) && pc.publishedPort != null && pc.publishedPort > 0) {
        String key = portKey(pc);
        if (!into.contains(key)) {
          into.add(key);
        }
      }
    }
  }

  static String portKey(PortConfig pc) {
    String proto = pc.protocol == null || pc.protocol.isEmpty() ? "tcp" : pc.protocol.toLowerCase(Locale.ROOT);
    return proto + "/" + pc.publishedPort;
  }

  /**
   * The key under which tasks are grouped: the service and every spec field placement reads. Built from the
   * raw spec (no parsing), so grouping a million tasks stays cheap.
   */
  static Object groupKey(Task task) {
    Resources r = task.spec == null || task.spec.resources == null ? null : task.spec.resources.reservations;
    Placement p = task.spec == null ? null : task.spec.placement;
    return new GroupKey(task.serviceId,
        r == null ? null : r.nanoCPUs,
        r == null ? null : r.memoryBytes,
        p == null ? null : p.constraints,
        p == null ? null : p.maxReplicas,
        p == null || p.preferences == null || p.preferences.isEmpty() ? null : spreadKey(p.preferences),
        p == null || p.platforms == null || p.platforms.isEmpty() ? null : platformKey(p.platforms),
        Placement.binpack(p));
  }

  private record GroupKey(String serviceId, Long nanoCPUs, Long memoryBytes, List<String> constraints,
      Long maxReplicas, List<String> spread, List<String> platforms, boolean binpack) {}

  private static List<String> spreadKey(List<Placement.Preference> prefs) {
    List<String> out = new ArrayList<>(prefs.size());
    for (Placement.Preference pref : prefs) {
      out.add(pref == null || pref.spread == null ? null : pref.spread.spreadDescriptor);
    }
    return out;
  }

  private static List<String> platformKey(List<Platform> platforms) {
    List<String> out = new ArrayList<>(platforms.size());
    for (Platform pl : platforms) {
      out.add(pl == null ? null : pl.os + "/" + pl.architecture);
    }
    return out;
  }

  @Override
  public String toString() {
    return "TaskRequirements{service=" + serviceId + ", nanoCPUs=" + nanoCPUs + ", memoryBytes=" + memoryBytes
        + ", constraints=" + constraints + ", hostPorts=" + hostPorts + ", maxReplicas=" + maxReplicas
        + ", spread=" + spreadDescriptors + (binpack ? ", binpack" : "") + "}";
  }
}
