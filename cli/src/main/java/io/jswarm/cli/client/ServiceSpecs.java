package io.jswarm.cli.client;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns {@code service create} / {@code service update} flags into a {@link ServiceSpec} the way the docker CLI
 * does: only what the user gave is set (the daemon fills defaults), a restart flag brings Swarm's default policy
 * (any, 5s delay) for the fields not given, and updates merge into the spec read back from the daemon.
 */
public final class ServiceSpecs {

  private ServiceSpecs() {}

  /**
   * The spec of a new service.
   *
   * @throws UsageException when flags are invalid or contradict each other
   */
  public static ServiceSpec create(ServiceCreateFlags f, Function<String, String> environment) {
    if (f.image == null || f.image.isBlank()) {
      throw new UsageException("service create needs an IMAGE");
    }
    ServiceSpec spec = new ServiceSpec();
    spec.name = f.name;
    spec.labels = keyValues("--label", f.labels);
    spec.mode = mode(f);
    TaskSpec task = new TaskSpec();
    spec.taskTemplate = task;
    ContainerSpec c = new ContainerSpec();
    task.containerSpec = c;
    c.image = f.image;
    c.args = f.args.isEmpty() ? null : new ArrayList<>(f.args);
    c.env = env(f.env, environment);
    task.resources = f.resources.merge(null);
    task.restartPolicy = f.restart.merge(null);
    if (spec.mode.isJob() && f.restart.condition == null) {
      // the docker CLI's default for jobs: a task that completes is never run again
      task.restartPolicy = RestartFlags.merge(task.restartPolicy, "on-failure", null, null, null);
    }
    ContainerFlags.apply(f, task);
    if (!f.constraints.isEmpty() || !f.placementPrefs.isEmpty() || f.maxReplicasPerNode != null
        || f.placementStrategy != null || f.rebalanceOnJoin != null) {
      Placement p = new Placement();
      p.strategy = strategy(f.placementStrategy);
      p.rebalanceOnJoin = Boolean.TRUE.equals(f.rebalanceOnJoin) ? true : null;
      p.constraints = f.constraints.isEmpty() ? null : new ArrayList<>(f.constraints);
      p.preferences = preferences("--placement-pref", f.placementPrefs);
      p.maxReplicas = nonNegative("--replicas-max-per-node", f.maxReplicasPerNode);
      task.placement = p;
    }
    task.networks = networks("--network", f.networks);
    spec.endpointSpec = new EndpointSpec();
    if (f.endpointMode != null && !f.endpointMode.equals("vip") && !f.endpointMode.equals("dnsrr")) {
      throw new UsageException("invalid --endpoint-mode \"" + f.endpointMode + "\": vip or dnsrr");
    }
    spec.endpointSpec.mode = f.endpointMode == null ? "vip" : f.endpointMode;
    List<PortConfig> ports = new ArrayList<>();
    for (String p : f.publish) {
      ports.addAll(port("-p, --publish", p));
    }
    spec.endpointSpec.ports = ports.isEmpty() ? null : ports;
    return spec;
  }

  /** {@code --placement-strategy}: spread or binpack. */
  private static String strategy(String s) {
    if (s == null || Placement.SPREAD.equals(s) || Placement.BINPACK.equals(s)) {
      return s;
    }
    throw new UsageException("invalid --placement-strategy \"" + s + "\": spread or binpack");
  }

  private static ServiceMode mode(ServiceCreateFlags f) {
    if (f.maxConcurrent != null && !f.mode.equals("replicated-job")) {
      throw new UsageException("--max-concurrent can only be used with replicated-job mode");
    }
    switch (f.mode) {
      case "replicated" -> {
        return ServiceMode.replicated(f.replicas == null ? 1 : nonNegative("--replicas", f.replicas));
      }
      case "global" -> {
        if (f.replicas != null) {
          throw new UsageException("--replicas can only be used with replicated mode");
        }
        if (f.maxReplicasPerNode != null && f.maxReplicasPerNode > 0) {
          throw new UsageException("--replicas-max-per-node can only be used with replicated mode");
        }
        return ServiceMode.global();
      }
      case "replicated-job" -> {
        // as the docker CLI: MaxConcurrent defaults to --replicas, unset values are the daemon's defaults (1)
        ServiceMode m = new ServiceMode();
        m.replicatedJob = new ServiceMode.ReplicatedJob();
        m.replicatedJob.totalCompletions = f.replicas == null ? null : nonNegative("--replicas", f.replicas);
        m.replicatedJob.maxConcurrent = f.maxConcurrent != null ? nonNegative("--max-concurrent", f.maxConcurrent)
            : m.replicatedJob.totalCompletions;
        return m;
      }
      case "global-job" -> {
        if (f.replicas != null) {
          throw new UsageException("--replicas can only be used with replicated or replicated-job mode");
        }
        return ServiceMode.globalJobMode();
      }
      default -> throw new UsageException("invalid --mode \"" + f.mode + "\": replicated, global, replicated-job or "
          + "global-job");
    }
  }

  /**
   * Merges {@code service update} flags into {@code spec} (read from the daemon), in place.
   *
   * @throws UsageException when flags are invalid or do not fit the service
   */
  public static void update(ServiceSpec spec, ServiceUpdateFlags f) {
    if (spec.taskTemplate == null) {
      spec.taskTemplate = new TaskSpec();
    }
    TaskSpec task = spec.taskTemplate;
    if (task.containerSpec == null) {
      task.containerSpec = new ContainerSpec();
    }
    ContainerSpec c = task.containerSpec;
    if (f.replicas != null) {
      if (spec.mode != null && spec.mode.replicatedJob != null) {
        spec.mode.replicatedJob.totalCompletions = nonNegative("--replicas", f.replicas);
      } else if (spec.mode != null && spec.mode.replicated == null && (spec.mode.global != null || spec.mode.isJob())) {
        throw new UsageException("--replicas can only be used with replicated or replicated-job mode");
      } else {
        spec.mode = ServiceMode.replicated(nonNegative("--replicas", f.replicas));
      }
    }
    if (f.image != null) {
      c.image = f.image;
    }
    if (!f.envAdd.isEmpty() || !f.envRm.isEmpty()) {
      c.env = env(c.env, f);
    }
    if (!f.labelAdd.isEmpty() || !f.labelRm.isEmpty()) {
      spec.labels = labels(spec.labels, f);
    }
    if (!f.constraintAdd.isEmpty() || !f.constraintRm.isEmpty() || !f.placementPrefAdd.isEmpty()
        || !f.placementPrefRm.isEmpty() || f.maxReplicasPerNode != null || f.placementStrategy != null
        || f.rebalanceOnJoin != null) {
      Placement p = task.placement == null ? new Placement() : task.placement;
      if (f.placementStrategy != null) {
        p.strategy = strategy(f.placementStrategy);
      }
      if (f.rebalanceOnJoin != null) {
        p.rebalanceOnJoin = f.rebalanceOnJoin ? true : null;
      }
      List<String> constraints = p.constraints == null ? new ArrayList<>() : new ArrayList<>(p.constraints);
      constraints.removeAll(f.constraintRm);
      for (String add : f.constraintAdd) {
        if (!constraints.contains(add)) {
          constraints.add(add);
        }
      }
      p.constraints = constraints.isEmpty() ? null : constraints;
      List<Placement.Preference> prefs = p.preferences == null ? new ArrayList<>() : new ArrayList<>(p.preferences);
      List<Placement.Preference> rm = preferences("--placement-pref-rm", f.placementPrefRm);
      if (rm != null) {
        prefs.removeIf(have -> rm.stream().anyMatch(r -> sameSpread(have, r)));
      }
      List<Placement.Preference> add = preferences("--placement-pref-add", f.placementPrefAdd);
      if (add != null) {
        prefs.addAll(add);
      }
      p.preferences = prefs.isEmpty() ? null : prefs;
      if (f.maxReplicasPerNode != null) {
        p.maxReplicas = nonNegative("--replicas-max-per-node", f.maxReplicasPerNode);
      }
      task.placement = p;
    }
    task.resources = f.resources.merge(task.resources);
    task.restartPolicy = f.restart.merge(task.restartPolicy);
    if (!f.publishAdd.isEmpty() || !f.publishRm.isEmpty()) {
      if (spec.endpointSpec == null) {
        spec.endpointSpec = new EndpointSpec();
      }
      List<PortConfig> ports = spec.endpointSpec.ports == null ? new ArrayList<>() : new ArrayList<>(spec.endpointSpec.ports);
      for (String rm : f.publishRm) {
        // "80", "80/udp" or "8080:80": what counts is the target port and protocol
        String targetOnly = rm.contains("=") ? rm : rm.substring(rm.lastIndexOf(':') + 1);
        PortConfig target = port("--publish-rm", targetOnly).get(0);
        ports.removeIf(p -> Objects.equals(p.targetPort, target.targetPort)
            && Objects.equals(protocolOf(p), protocolOf(target)));
      }
      for (String add : f.publishAdd) {
        for (PortConfig np : port("--publish-add", add)) {
          ports.removeIf(p -> np.publishedPort != null && Objects.equals(p.publishedPort, np.publishedPort)
              && Objects.equals(protocolOf(p), protocolOf(np)));
          ports.add(np);
        }
      }
      spec.endpointSpec.ports = ports.isEmpty() ? null : ports;
    }
    if (!f.networkAdd.isEmpty() || !f.networkRm.isEmpty()) {
      List<NetworkAttachmentConfig> nets = task.networks == null ? new ArrayList<>() : new ArrayList<>(task.networks);
      nets.removeIf(n -> f.networkRm.contains(n.target));
      List<NetworkAttachmentConfig> add = networks("--network-add", f.networkAdd);
      if (add != null) {
        nets.addAll(add);
      }
      task.networks = nets.isEmpty() ? null : nets;
    }
    ContainerUpdates.apply(task, f);
    if (f.force) {
      task.forceUpdate = (task.forceUpdate == null ? 0 : task.forceUpdate) + 1;
    }
  }

  /**
   * The service labels after {@code --label-rm} and {@code --label-add} (null: none left): the labels kept in their
   * order, a new key last. The one rule for the bound spec and the daemon's tree ({@link ServiceTreeUpdate}).
   */
  static Map<String, String> labels(Map<String, String> have, ServiceUpdateFlags f) {
    Map<String, String> labels = have == null ? new LinkedHashMap<>() : new LinkedHashMap<>(have);
    for (String k : f.labelRm) {
      labels.remove(k);
    }
    Map<String, String> add = keyValues("--label-add", f.labelAdd);
    if (add != null) {
      labels.putAll(add);
    }
    return labels.isEmpty() ? null : labels;
  }

  /** {@code --network} values: {@code NAME} or {@code name=NAME,alias=A[,alias=B][,driver-opt=k=v]}; null when none. */
  static List<NetworkAttachmentConfig> networks(String flag, List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<NetworkAttachmentConfig> out = new ArrayList<>();
    for (String v : values) {
      NetworkAttachmentConfig c = new NetworkAttachmentConfig();
      if (!v.contains("=")) {
        c.target = v;
      } else {
        for (String part : v.split(",")) {
          int eq = part.indexOf('=');
          String key = eq < 0 ? part : part.substring(0, eq).trim();
          String value = eq < 0 ? "" : part.substring(eq + 1).trim();
          switch (key) {
            case "name", "target" -> c.target = value;
            case "alias" -> {
              if (c.aliases == null) {
                c.aliases = new ArrayList<>();
              }
              c.aliases.add(value);
            }
            case "driver-opt" -> {
              int e2 = value.indexOf('=');
              if (e2 <= 0) {
                throw new UsageException("invalid " + flag + " \"" + v + "\": driver-opt wants key=value");
              }
              if (c.driverOpts == null) {
                c.driverOpts = new LinkedHashMap<>();
              }
              c.driverOpts.put(value.substring(0, e2), value.substring(e2 + 1));
            }
            default -> throw new UsageException("invalid " + flag + " \"" + v + "\": unknown field \"" + key
                + "\" (allowed: name, alias, driver-opt)");
          }
        }
      }
      if (c.target == null || c.target.isEmpty()) {
        throw new UsageException("invalid " + flag + " \"" + v + "\": a network name is required");
      }
      out.add(c);
    }
    return out;
  }

  private static String protocolOf(PortConfig p) {
    return p.protocol == null ? "tcp" : p.protocol;
  }

  private static boolean sameSpread(Placement.Preference a, Placement.Preference b) {
    return a.spread != null && b.spread != null && Objects.equals(a.spread.spreadDescriptor, b.spread.spreadDescriptor);
  }

  private static List<Placement.Preference> preferences(String flag, List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Placement.Preference> out = new ArrayList<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("invalid " + flag + " \"" + v + "\": want <strategy>=<arg>, such as spread=node.labels.zone");
      }
      if (!v.substring(0, eq).equals("spread")) {
        throw new UsageException("invalid " + flag + " \"" + v + "\": unsupported strategy " + v.substring(0, eq)
            + " (only spread is supported)");
      }
      Placement.Preference p = new Placement.Preference();
      p.spread = new Placement.Spread();
      p.spread.spreadDescriptor = v.substring(eq + 1);
      out.add(p);
    }
    return out;
  }

  private static List<PortConfig> port(String flag, String value) {
    try {
      return PortSpecs.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + e.getMessage());
    }
  }

  private static List<String> env(List<String> values, Function<String, String> environment) {
    if (values.isEmpty()) {
      return null;
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String v : values) {
      String key = envKey(v);
      if (key.isEmpty()) {
        throw new UsageException("invalid --env \"" + v + "\": want KEY=VALUE or KEY");
      }
      String entry = v;
      if (!v.contains("=")) {
        String fromHere = environment.apply(v);
        entry = fromHere == null ? v : v + "=" + fromHere;
      }
      env.remove(key); // the last one wins, in the order given
      env.put(key, entry);
    }
    return new ArrayList<>(env.values());
  }

  /**
   * {@code --env-rm} then {@code --env-add} on the entries {@code have} (may be null), one entry a key, in the order
   * the keys first came; null when none is left.
   */
  static List<String> env(List<String> have, ServiceUpdateFlags f) {
    Map<String, String> env = new LinkedHashMap<>();
    if (have != null) {
      for (String e : have) {
        env.put(envKey(e), e);
      }
    }
    for (String k : f.envRm) { // loops, not lambdas: the tree path runs this in a cold client (docs/footprint.md)
      env.remove(envKey(k));
    }
    for (String e : f.envAdd) {
      env.put(envKey(e), e);
    }
    return env.isEmpty() ? null : new ArrayList<>(env.values());
  }

  private static String envKey(String entry) {
    int eq = entry.indexOf('=');
    return eq < 0 ? entry : entry.substring(0, eq);
  }

  /** {@code k=v} strings into a map; {@code k} alone maps to "". Null when there are none. */
  static Map<String, String> keyValues(String flag, List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      String k = eq < 0 ? v : v.substring(0, eq);
      if (k.isEmpty()) {
        throw new UsageException("invalid " + flag + " \"" + v + "\": want key=value");
      }
      out.put(k, eq < 0 ? "" : v.substring(eq + 1));
    }
    return out;
  }

  static Long nonNegative(String flag, Long v) {
    if (v != null && v < 0) {
      throw new UsageException("invalid " + flag + " " + v + ": cannot be negative");
    }
    return v;
  }
}
