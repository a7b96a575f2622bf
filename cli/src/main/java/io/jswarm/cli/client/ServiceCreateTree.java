package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.UpdateConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;

/**
 * {@code service create} without data binding, for its everyday flags ({@code --name}, {@code --mode}, {@code
 * --replicas}, {@code -e/--env}, {@code --label}, {@code -p/--publish}, the image and its command, with {@code -d} and
 * {@code -q}; also {@code --constraint}, {@code --replicas-max-per-node}, {@code --network}, {@code --hostname},
 * {@code -w}, {@code -u}, {@code --entrypoint}, {@code --stop-signal}, {@code --stop-grace-period}, {@code --cpuset}, the
 * {@code --limit-*}, {@code --reserve-*}, {@code --blkio-weight}, {@code --restart-*}, {@code --update-*} and {@code
 * --rollback-*} flags): the spec is made by {@link ServiceSpecs#create} and {@link RolloutFlags#apply} as on the bound path (the
 * same rules and messages), then written here member by member in the order and form Jackson's binding writes it
 * ({@code io.jswarm.api.json.Json}: Docker's names, nulls left out, a whole float without its fraction). Setting up an
 * {@code ObjectMapper} and introspecting the api types was most of a cold {@code service create} (docs/footprint.md).
 * {@code ServiceCreateTreeTest} requires the bound path's bytes over many combinations of these flags. Any other flag
 * ({@link #covers}), or a spec with a member this class does not write ({@link #tree} answers null), goes the bound
 * way.
 */
final class ServiceCreateTree {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ServiceCreateTree() {}

  /** Whether {@code flags} give no flag but the covered ones (every other at its default; any rollout flag). */
  static boolean covers(ServiceCreateFlags flags) {
    ServiceCreateFlags plain = new ServiceCreateFlags();
    plain.name = flags.name;
    plain.mode = flags.mode;
    plain.replicas = flags.replicas;
    plain.env = flags.env;
    plain.labels = flags.labels;
    plain.publish = flags.publish;
    plain.image = flags.image;
    plain.args = flags.args;
    plain.constraints = flags.constraints;
    plain.maxReplicasPerNode = flags.maxReplicasPerNode;
    plain.hostname = flags.hostname;
    plain.workdir = flags.workdir;
    plain.user = flags.user;
    plain.entrypoint = flags.entrypoint;
    plain.stopSignal = flags.stopSignal;
    plain.stopGracePeriod = flags.stopGracePeriod;
    plain.restart = flags.restart;
    plain.resources = flags.resources;
    plain.cpuset = flags.cpuset;
    plain.networks = flags.networks;
    return ServiceTreeUpdate.sameFlags(flags, plain); // the --update-* and --rollback-* flags: UpdateConfig, written
  }

  /** {@code spec} as the bound path writes it, or null when it has a member not written here. */
  static ObjectNode tree(ServiceSpec spec) {
    if (!onlySet(spec, "name", "labels", "taskTemplate", "mode", "updateConfig", "rollbackConfig", "endpointSpec")) {
      return null;
    }
    ObjectNode s = NODES.objectNode();
    putText(s, "Name", spec.name);
    if (spec.labels != null) {
      ObjectNode labels = s.putObject("Labels");
      for (Map.Entry<String, String> e : spec.labels.entrySet()) {
        labels.put(e.getKey(), e.getValue());
      }
    }
    if (spec.taskTemplate != null && !task(s.putObject("TaskTemplate"), spec.taskTemplate)) {
      return null;
    }
    if (spec.mode != null && !mode(s.putObject("Mode"), spec.mode)) {
      return null;
    }
    if (spec.updateConfig != null && !rollout(s.putObject("UpdateConfig"), spec.updateConfig)) {
      return null;
    }
    if (spec.rollbackConfig != null && !rollout(s.putObject("RollbackConfig"), spec.rollbackConfig)) {
      return null;
    }
    if (spec.endpointSpec != null && !endpoint(s.putObject("EndpointSpec"), spec.endpointSpec)) {
      return null;
    }
    return s;
  }

  private static boolean task(ObjectNode t, TaskSpec task) {
    if (!onlySet(task, "containerSpec", "resources", "restartPolicy", "placement", "networks")) {
      return false;
    }
    ContainerSpec c = task.containerSpec;
    if (c != null) {
      if (!onlySet(c, "image", "command", "args", "hostname", "env", "dir", "user", "stopSignal", "stopGracePeriod")) {
        return false;
      }
      ObjectNode container = t.putObject("ContainerSpec");
      putText(container, "Image", c.image);
      putTexts(container, "Command", c.command);
      putTexts(container, "Args", c.args);
      putText(container, "Hostname", c.hostname);
      putTexts(container, "Env", c.env);
      putText(container, "Dir", c.dir);
      putText(container, "User", c.user);
      putText(container, "StopSignal", c.stopSignal);
      putNumber(container, "StopGracePeriod", c.stopGracePeriod);
    }
    ResourceRequirements resources = task.resources;
    if (resources != null) {
      if (!onlySet(resources, "limits", "reservations")) {
        return false;
      }
      ObjectNode res = t.putObject("Resources");
      Limit l = resources.limits;
      if (l != null) {
        if (!onlySet(l, "nanoCPUs", "memoryBytes", "pids", "cpuset", "blkioWeight", "bandwidth")) {
          return false;
        }
        ObjectNode limits = res.putObject("Limits");
        putNumber(limits, "NanoCPUs", l.nanoCPUs);
        putNumber(limits, "MemoryBytes", l.memoryBytes);
        putNumber(limits, "Pids", l.pids);
        putText(limits, "Cpuset", l.cpuset);
        putNumber(limits, "BlkioWeight", l.blkioWeight);
        putNumber(limits, "Bandwidth", l.bandwidth);
      }
      Resources reserved = resources.reservations;
      if (reserved != null) {
        if (!onlySet(reserved, "nanoCPUs", "memoryBytes")) {
          return false;
        }
        ObjectNode reservations = res.putObject("Reservations");
        putNumber(reservations, "NanoCPUs", reserved.nanoCPUs);
        putNumber(reservations, "MemoryBytes", reserved.memoryBytes);
      }
    }
    RestartPolicy r = task.restartPolicy;
    if (r != null) {
      if (!onlySet(r, "condition", "delay", "maxAttempts", "window")) {
        return false;
      }
      ObjectNode p = t.putObject("RestartPolicy");
      putText(p, "Condition", r.condition);
      putNumber(p, "Delay", r.delay);
      putNumber(p, "MaxAttempts", r.maxAttempts);
      putNumber(p, "Window", r.window);
    }
    Placement placement = task.placement;
    if (placement != null) {
      if (!onlySet(placement, "constraints", "maxReplicas")) {
        return false;
      }
      ObjectNode p = t.putObject("Placement");
      putTexts(p, "Constraints", placement.constraints);
      putNumber(p, "MaxReplicas", placement.maxReplicas);
    }
    if (task.networks != null) {
      ArrayNode networks = t.putArray("Networks");
      for (NetworkAttachmentConfig n : task.networks) {
        if (n == null || !onlySet(n, "target", "aliases", "driverOpts")) {
          return false;
        }
        ObjectNode network = networks.addObject();
        putText(network, "Target", n.target);
        putTexts(network, "Aliases", n.aliases);
        if (n.driverOpts != null) {
          ObjectNode opts = network.putObject("DriverOpts");
          for (Map.Entry<String, String> e : n.driverOpts.entrySet()) {
            opts.put(e.getKey(), e.getValue());
          }
        }
      }
    }
    return true;
  }

  private static boolean mode(ObjectNode m, ServiceMode mode) {
    if (!onlySet(mode, "replicated", "global", "replicatedJob", "globalJob")) {
      return false;
    }
    if (mode.replicated != null) {
      putNumber(m.putObject("Replicated"), "Replicas", mode.replicated.replicas);
    }
    if (mode.global != null) {
      m.putObject("Global");
    }
    if (mode.replicatedJob != null) {
      ObjectNode job = m.putObject("ReplicatedJob");
      putNumber(job, "MaxConcurrent", mode.replicatedJob.maxConcurrent);
      putNumber(job, "TotalCompletions", mode.replicatedJob.totalCompletions);
    }
    if (mode.globalJob != null) {
      m.putObject("GlobalJob");
    }
    return true;
  }

  private static boolean rollout(ObjectNode u, UpdateConfig c) {
    Double ratio = c.maxFailureRatio;
    if (!onlySet(c, "parallelism", "delay", "failureAction", "monitor", "maxFailureRatio", "order")
        || ratio != null && (ratio != Math.rint(ratio) || Math.abs(ratio) >= 1e15)) {
      return false; // a ratio with a fraction: Jackson's digits, not written here
    }
    putNumber(u, "Parallelism", c.parallelism);
    putNumber(u, "Delay", c.delay);
    putText(u, "FailureAction", c.failureAction);
    putNumber(u, "Monitor", c.monitor);
    if (ratio != null) {
      u.put("MaxFailureRatio", (long) (double) ratio); // Go's float: no fraction when whole (Json.GoFloatSerializer)
    }
    putText(u, "Order", c.order);
    return true;
  }

  private static boolean endpoint(ObjectNode e, EndpointSpec spec) {
    if (!onlySet(spec, "mode", "ports")) {
      return false;
    }
    putText(e, "Mode", spec.mode);
    if (spec.ports != null) {
      ArrayNode ports = e.putArray("Ports");
      for (PortConfig p : spec.ports) {
        if (p == null || !onlySet(p, "name", "protocol", "targetPort", "publishedPort", "publishMode")) {
          return false;
        }
        ObjectNode port = ports.addObject();
        putText(port, "Name", p.name);
        putText(port, "Protocol", p.protocol);
        putNumber(port, "TargetPort", p.targetPort);
        putNumber(port, "PublishedPort", p.publishedPort);
        putText(port, "PublishMode", p.publishMode);
      }
    }
    return true;
  }

  private static void putText(ObjectNode o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  private static void putNumber(ObjectNode o, String name, Long value) {
    if (value != null) {
      o.put(name, value.longValue());
    }
  }

  private static void putTexts(ObjectNode o, String name, List<String> values) {
    if (values != null) {
      ArrayNode a = o.putArray(name);
      for (String v : values) {
        if (v == null) {
          a.addNull();
        } else {
          a.add(v);
        }
      }
    }
  }

  /**
   * Whether every public instance field of {@code o} not named in {@code written} is null: a field the api types gain,
   * or one the spec's rules start to set for these flags, sends the create the bound way rather than drop it.
   */
  private static boolean onlySet(Object o, String... written) {
    List<String> names = List.of(written);
    try {
      for (Field f : o.getClass().getFields()) {
        if (!Modifier.isStatic(f.getModifiers()) && !names.contains(f.getName()) && f.get(o) != null) {
          return false;
        }
      }
      return true;
    } catch (IllegalAccessException e) {
      return false;
    }
  }
}
