package io.jswarm.cli.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.MemoryStore;
import java.util.HashMap;
import java.util.Map;

/**
 * What the dashboard shows, read from a manager's store in one consistent (possibly stale) view: nodes, services
 * (mode, replicas running/desired, image, published ports, update state) and the tasks that are not long gone
 * (desired running, or observed not yet terminal), with their node, state, message and error. No spec details
 * beyond these: no environment, secrets, mounts or labels leave the manager through the dashboard.
 */
final class ClusterState {
  private ClusterState() {}

  static ObjectNode of(MemoryStore store) {
    return store.viewStale(tx -> {
      ObjectNode out = Json.mapper().createObjectNode();
      ArrayNode nodes = out.putArray("nodes");
      for (Node n : tx.nodes().all()) {
        ObjectNode o = nodes.addObject();
        o.put("id", n.id);
        o.put("hostname", n.description == null ? n.id : n.description.hostname);
        o.put("role", n.spec == null ? null : n.spec.role);
        o.put("availability", n.spec == null ? null : n.spec.availability);
        o.put("state", n.status == null ? "unknown" : n.status.state);
        o.put("addr", n.status == null ? null : n.status.addr);
        o.put("leader", n.managerStatus != null && Boolean.TRUE.equals(n.managerStatus.leader));
      }
      Map<String, String> names = new HashMap<>();
      Map<String, int[]> counts = new HashMap<>();
      for (Task t : tx.tasks().all()) {
        if (t.serviceId != null && state(t) == TaskState.RUNNING && desired(t) == TaskState.RUNNING) {
          counts.computeIfAbsent(t.serviceId, k -> new int[1])[0]++;
        }
      }
      ArrayNode services = out.putArray("services");
      for (Service s : tx.services().all()) {
        String name = s.spec == null ? s.id : s.spec.name;
        names.put(s.id, name);
        ObjectNode o = services.addObject();
        o.put("id", s.id);
        o.put("name", name);
        boolean global = s.spec != null && s.spec.mode != null && s.spec.mode.global != null;
        o.put("mode", global ? "global" : "replicated");
        if (!global && s.spec != null && s.spec.mode != null && s.spec.mode.replicated != null) {
          o.put("desired", s.spec.mode.replicated.replicas);
        }
        o.put("running", counts.getOrDefault(s.id, new int[1])[0]);
        o.put("image", s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.containerSpec == null
            ? null : s.spec.taskTemplate.containerSpec.image);
        ArrayNode ports = o.putArray("ports");
        if (s.endpoint != null && s.endpoint.ports != null) {
          for (PortConfig p : s.endpoint.ports) {
            ports.add((p.publishedPort == null ? "" : p.publishedPort + "->") + p.targetPort + "/"
                + (p.protocol == null ? "tcp" : p.protocol));
          }
        }
        o.put("update", s.updateStatus == null ? null : s.updateStatus.state);
        o.put("updateMessage", s.updateStatus == null ? null : s.updateStatus.message);
      }
      ArrayNode tasks = out.putArray("tasks");
      for (Task t : tx.tasks().all()) {
        if (desired(t).number() > TaskState.RUNNING.number() && state(t).isTerminal()) {
          continue; // history: the service panel lists what still runs or is on its way
        }
        ObjectNode o = tasks.addObject();
        o.put("id", t.id);
        o.put("service", t.serviceId);
        o.put("name", names.getOrDefault(t.serviceId, "?") + "." + (t.slot != null ? t.slot : t.nodeId));
        o.put("node", t.nodeId);
        o.put("state", state(t).json());
        o.put("desired", desired(t).json());
        o.put("message", t.status == null ? null : t.status.message);
        o.put("err", t.status == null ? null : t.status.err);
        o.put("since", t.status == null ? null : t.status.timestamp);
      }
      return out;
    });
  }

  private static TaskState state(Task t) {
    return t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
  }

  private static TaskState desired(Task t) {
    return t.desiredState == null ? TaskState.NEW : t.desiredState;
  }
}
