package io.jswarm.scheduler;

import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Nodes, tasks and services for scheduler tests, built fluently. */
final class Rows {
  static final long CPU = 1_000_000_000L;
  static final long GB = 1L << 30;

  private Rows() {}

  /** A ready, active worker with 4 CPUs and 8 GiB on linux/x86_64. */
  static Node node(String id) {
    Node n = new Node();
    n.id = id;
    n.spec = new Node.Spec();
    n.spec.role = "worker";
    n.spec.availability = "active";
    n.spec.labels = new HashMap<>();
    n.status = new Node.Status();
    n.status.state = "ready";
    n.description = new Node.Description();
    n.description.hostname = "host-" + id;
    n.description.platform = new Platform();
    n.description.platform.os = "linux";
    n.description.platform.architecture = "x86_64";
    n.description.resources = new Resources();
    n.description.resources.nanoCPUs = 4 * CPU;
    n.description.resources.memoryBytes = 8 * GB;
    n.description.engine = new Node.EngineDescription();
    n.description.engine.labels = new HashMap<>();
    return n;
  }

  static Node labelled(String id, String key, String value) {
    Node n = node(id);
    n.spec.labels.put(key, value);
    return n;
  }

  /** A PENDING task of {@code serviceId} with an empty container spec. */
  static Task task(String id, String serviceId) {
    Task t = new Task();
    t.id = id;
    t.serviceId = serviceId;
    t.spec = new TaskSpec();
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.PENDING;
    return t;
  }

  static List<Task> tasks(String prefix, String serviceId, int n) {
    List<Task> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(task(prefix + i, serviceId));
    }
    return out;
  }

  /** A task already running on {@code nodeId}. */
  static Task running(String id, String serviceId, String nodeId) {
    Task t = task(id, serviceId);
    t.nodeId = nodeId;
    t.status.state = TaskState.RUNNING;
    return t;
  }

  static Task reserve(Task t, long nanoCPUs, long memoryBytes) {
    t.spec.resources = new ResourceRequirements();
    t.spec.resources.reservations = new Resources();
    t.spec.resources.reservations.nanoCPUs = nanoCPUs;
    t.spec.resources.reservations.memoryBytes = memoryBytes;
    return t;
  }

  static Placement placement(Task t) {
    if (t.spec.placement == null) {
      t.spec.placement = new Placement();
    }
    return t.spec.placement;
  }

  static Task constrain(Task t, String... constraints) {
    placement(t).constraints = List.of(constraints);
    return t;
  }

  static Task spread(Task t, String... descriptors) {
    List<Placement.Preference> prefs = new ArrayList<>();
    for (String d : descriptors) {
      Placement.Preference p = new Placement.Preference();
      p.spread = new Placement.Spread();
      p.spread.spreadDescriptor = d;
      prefs.add(p);
    }
    placement(t).preferences = prefs;
    return t;
  }

  static Task maxReplicas(Task t, long max) {
    placement(t).maxReplicas = max;
    return t;
  }

  /** A service publishing {@code publishedPort}/tcp in host mode. */
  static Service hostPortService(String id, long publishedPort) {
    Service s = new Service();
    s.id = id;
    s.spec = new Service.ServiceSpec();
    s.spec.name = id;
    s.spec.endpointSpec = new EndpointSpec();
    PortConfig pc = new PortConfig();
    pc.publishMode = "host";
    pc.targetPort = 80L;
    pc.publishedPort = publishedPort;
    s.spec.endpointSpec.ports = List.of(pc);
    return s;
  }

  static List<NodeInfo> infos(Node... nodes) {
    List<NodeInfo> out = new ArrayList<>();
    for (Node n : nodes) {
      out.add(NodeInfo.of(n));
    }
    return out;
  }

  static Map<String, NodeInfo> byId(List<NodeInfo> infos) {
    Map<String, NodeInfo> m = new HashMap<>();
    infos.forEach(i -> m.put(i.id(), i));
    return m;
  }

  /** How many placements went to each node. */
  static Map<String, Integer> perNode(SchedulingResult r) {
    Map<String, Integer> m = new HashMap<>();
    r.placements().values().forEach(n -> m.merge(n, 1, Integer::sum));
    return m;
  }
}
