package io.jswarm.api.validation;

import static io.jswarm.api.validation.Checks.isEmpty;
import static io.jswarm.api.validation.Checks.notNegative;
import static io.jswarm.api.validation.Checks.oneOf;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.GenericResource;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.UpdateConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules of a service spec; see {@link SpecValidator#validateService}. */
final class ServiceRules {
  private static final long MIN_NANO_CPUS = 1_000_000; // 0.001 CPU, as Swarm
  private static final long MIN_MEMORY_BYTES = 4L * 1024 * 1024; // 4 MiB, as Swarm
  private static final int MAX_IMAGE_NAME = 255;

  // Docker's image reference grammar (distribution/reference): [domain/]path[:tag][@digest].
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
  private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
  private static final Pattern IMAGE_NAME = Pattern.compile("^(" + NAME + ")(?::[\\w][\\w.-]{0,127})?"
      + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$");

  private ServiceRules() {}

  static void check(Problems p, ServiceSpec s) {
    Checks.dnsName(p, "Spec.Name", s.name, "service");
    taskSpec(p, "Spec.TaskTemplate", s.taskTemplate);
    mode(p, "Spec.Mode", s.mode);
    if (s.mode != null && s.mode.isJob() && s.updateConfig != null) {
      p.add("Spec.UpdateConfig", "must not be set for a job (ReplicatedJob or GlobalJob); jobs are not rolled out");
    }
    if (s.taskTemplate != null && Placement.rebalanceOnJoin(s.taskTemplate.placement) && s.mode != null
        && s.mode.replicated == null) {
      p.add("Spec.TaskTemplate.Placement.RebalanceOnJoin", "only a replicated service is rebalanced (a global "
          + "service or a job already runs where it should); remove it or use --mode replicated");
    }
    updateConfig(p, "Spec.UpdateConfig", s.updateConfig, "pause", "continue", "rollback");
    updateConfig(p, "Spec.RollbackConfig", s.rollbackConfig, "pause", "continue");
    networks(p, "Spec.Networks", s.networks);
    endpoint(p, "Spec.EndpointSpec", s.endpointSpec);
  }

  private static void taskSpec(Problems p, String path, TaskSpec t) {
    if (t == null || t.containerSpec == null) {
      p.add(path + ".ContainerSpec", "must be set; jswarm runs containers, so give at least an Image");
    }
    if (t == null) {
      return;
    }
    if (!isEmpty(t.runtime) && !t.runtime.equals("container")) {
      p.add(path + ".Runtime", "\"" + t.runtime + "\" is not supported; use \"container\" or leave it empty");
    }
    if (t.pluginSpec != null) {
      p.add(path + ".PluginSpec", "plugin services are not supported; remove it and use ContainerSpec");
    }
    if (t.networkAttachmentSpec != null) {
      p.add(path + ".NetworkAttachmentSpec", "is only set by the daemon for attachment tasks; remove it");
    }
    if (t.containerSpec != null) {
      containerSpec(p, path + ".ContainerSpec", t.containerSpec);
    }
    resources(p, path + ".Resources", t.resources);
    restartPolicy(p, path + ".RestartPolicy", t.restartPolicy);
    placement(p, path + ".Placement", t.placement);
    networks(p, path + ".Networks", t.networks);
  }

  private static void containerSpec(Problems p, String path, ContainerSpec c) {
    if (isEmpty(c.image)) {
      p.add(path + ".Image", "must not be empty; give an image reference such as nginx:alpine");
    } else if (!isImageReference(c.image)) {
      p.add(path + ".Image", "\"" + c.image + "\" is not a valid image reference; use "
          + "[registry/]repository[:tag][@digest] with a lowercase repository, such as nginx:alpine");
    }
    notNegative(p, path + ".StopGracePeriod", c.stopGracePeriod, "a duration in nanoseconds");
    mounts(p, path + ".Mounts", c.mounts);
    healthcheck(p, path + ".Healthcheck", c.healthcheck);
    secrets(p, path + ".Secrets", c.secrets);
    configs(p, path + ".Configs", c.configs);
    PrivilegesRules.check(p, path + ".Privileges", c.privileges);
    if (!isEmpty(c.usernsMode) && !ContainerSpec.USERNS_HOST.equals(c.usernsMode)) {
      p.add(path + ".UsernsMode", "\"" + c.usernsMode + "\" is not a user namespace mode; use \"host\" (no "
          + "user namespace on a node with --userns-remap) or leave it empty");
    }
  }

  static boolean isImageReference(String image) {
    var m = IMAGE_NAME.matcher(image);
    return m.matches() && m.group(1).length() <= MAX_IMAGE_NAME;
  }

  private static void mounts(Problems p, String path, List<Mount> mounts) {
    if (mounts == null) {
      return;
    }
    Set<String> targets = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      String at = path + "[" + i + "]";
      Mount m = mounts.get(i);
      if (m == null) {
        p.add(at, "must not be null");
        continue;
      }
      oneOf(p, at + ".Type", m.type, false, "bind", "volume", "tmpfs", "npipe", "cluster");
      if (isEmpty(m.target)) {
        p.add(at + ".Target", "must not be empty; give the path inside the container");
      } else if (!"npipe".equals(m.type) && !m.target.startsWith("/")) {
        p.add(at + ".Target", "\"" + m.target + "\" must be an absolute path");
      } else if (!targets.add(m.target)) {
        p.add(at + ".Target", "duplicate mount point \"" + m.target + "\"; each mount needs its own Target");
      }
      if ("bind".equals(m.type) && isEmpty(m.source)) {
        p.add(at + ".Source", "must not be empty for a bind mount; give the host path");
      }
      if ("tmpfs".equals(m.type) && !isEmpty(m.source)) {
        p.add(at + ".Source", "must be empty for a tmpfs mount");
      }
      if (m.bindOptions != null && !"bind".equals(m.type)) {
        p.add(at + ".BindOptions", "is only allowed when Type is bind");
      }
      if (m.volumeOptions != null && !"volume".equals(m.type)) {
        p.add(at + ".VolumeOptions", "is only allowed when Type is volume");
      }
      if (m.tmpfsOptions != null && !"tmpfs".equals(m.type)) {
        p.add(at + ".TmpfsOptions", "is only allowed when Type is tmpfs");
      }
      if (m.bindOptions != null) {
        oneOf(p, at + ".BindOptions.Propagation", m.bindOptions.propagation, true,
            "private", "rprivate", "shared", "rshared", "slave", "rslave");
      }
      if (m.tmpfsOptions != null) {
        notNegative(p, at + ".TmpfsOptions.SizeBytes", m.tmpfsOptions.sizeBytes, "a size in bytes (0 = no limit)");
      }
    }
  }

  private static void healthcheck(Problems p, String path, Healthcheck h) {
    if (h == null) {
      return;
    }
    Checks.zeroOrAtLeastMillisecond(p, path + ".Interval", h.interval);
    Checks.zeroOrAtLeastMillisecond(p, path + ".Timeout", h.timeout);
    Checks.zeroOrAtLeastMillisecond(p, path + ".StartPeriod", h.startPeriod);
    notNegative(p, path + ".Retries", h.retries, "a number of consecutive failures (0 = inherit)");
  }

  private static void secrets(Problems p, String path, List<ContainerSpec.SecretReference> refs) {
    if (refs == null) {
      return;
    }
    Set<String> files = new HashSet<>();
    for (int i = 0; i < refs.size(); i++) {
      String at = path + "[" + i + "]";
      ContainerSpec.SecretReference r = refs.get(i);
      if (r == null) {
        p.add(at, "must not be null");
        continue;
      }
      if (isEmpty(r.secretId)) {
        p.add(at + ".SecretID", "must be set; a reference names the secret by ID");
      }
      if (isEmpty(r.secretName)) {
        p.add(at + ".SecretName", "must be set to the secret's name");
      }
      if (r.file == null) {
        p.add(at + ".File", "must be set; give the file the secret appears as");
      } else {
        fileTarget(p, at + ".File", r.file, files, "secret");
      }
    }
  }

  private static void configs(Problems p, String path, List<ContainerSpec.ConfigReference> refs) {
    if (refs == null) {
      return;
    }
    Set<String> files = new HashSet<>();
    for (int i = 0; i < refs.size(); i++) {
      String at = path + "[" + i + "]";
      ContainerSpec.ConfigReference r = refs.get(i);
      if (r == null) {
        p.add(at, "must not be null");
        continue;
      }
      if (isEmpty(r.configId)) {
        p.add(at + ".ConfigID", "must be set; a reference names the config by ID");
      }
      if (isEmpty(r.configName)) {
        p.add(at + ".ConfigName", "must be set to the config's name");
      }
      if (r.file == null && r.runtime == null) {
        p.add(at + ".File", "must be set (or Runtime); give the file the config appears as");
      } else if (r.file != null && r.runtime != null) {
        p.add(at + ".Runtime", "cannot be set together with File; choose one target");
      } else if (r.file != null) {
        fileTarget(p, at + ".File", r.file, files, "config");
      }
    }
  }

  /**
   * A secret's or config's file in the container: a name without {@code ..} (secrets: relative to
   * {@value #SECRETS_DIR} or absolute under it, where the secrets tmpfs is; configs: anywhere, relative to
   * {@code /}), numeric UID and GID, permission bits 0-0777.
   */
  private static void fileTarget(Problems p, String path, ContainerSpec.FileTarget f, Set<String> seen, String what) {
    String name = f.name;
    if (isEmpty(name)) {
      p.add(path + ".Name", "must not be empty; give the file name the " + what + " appears as");
    } else if (List.of(name.split("/")).contains("..") || name.indexOf('\0') >= 0) {
      p.add(path + ".Name", "\"" + name + "\" must not contain \"..\"; give a file name such as db_password");
    } else if (what.equals("secret") && name.startsWith("/") && !name.startsWith(SECRETS_DIR + "/")) {
      p.add(path + ".Name", "\"" + name + "\": secrets live on a tmpfs at " + SECRETS_DIR + "; give a relative name "
          + "(it goes under " + SECRETS_DIR + ") or a path under it");
    } else if (name.equals("/") || name.endsWith("/") || name.equals(SECRETS_DIR + "/")) {
      p.add(path + ".Name", "\"" + name + "\" names a directory; give a file name");
    } else if (!seen.add(name)) {
      p.add(path + ".Name", "\"" + name + "\" is the target of another " + what + "; each " + what
          + " needs its own file");
    }
    numericId(p, path + ".UID", f.uid);
    numericId(p, path + ".GID", f.gid);
    if (f.mode != null && (f.mode < 0 || f.mode > 0777)) {
      p.add(path + ".Mode", f.mode + " is out of range; give permission bits 0 to 0777 (511), e.g. 0444 (292)");
    }
  }

  /** Where secrets appear in a container. */
  static final String SECRETS_DIR = "/run/secrets";

  private static void numericId(Problems p, String path, String id) {
    if (!isEmpty(id) && !id.matches("[0-9]{1,10}") || (!isEmpty(id) && Long.parseLong(id) > 0xFFFFFFFEL)) {
      p.add(path, "\"" + id + "\" is not a numeric user or group id; give a number such as 0 or 1000");
    }
  }

  private static void resources(Problems p, String path, ResourceRequirements r) {
    if (r == null) {
      return;
    }
    Limit l = r.limits;
    Resources res = r.reservations;
    if (l != null) {
      cpus(p, path + ".Limits.NanoCPUs", l.nanoCPUs);
      memory(p, path + ".Limits.MemoryBytes", l.memoryBytes);
      notNegative(p, path + ".Limits.Pids", l.pids, "a number of processes (0 = unlimited)");
      if (l.cpuset != null && !l.cpuset.isBlank() && !l.cpuset.trim().matches(Limit.CPU_LIST)) {
        p.add(path + ".Limits.Cpuset", "\"" + l.cpuset + "\" is not a CPU list; give e.g. 0-3 or 0,2");
      }
      if (l.blkioWeight != null && l.blkioWeight != 0 && (l.blkioWeight < 10 || l.blkioWeight > 1000)) {
        p.add(path + ".Limits.BlkioWeight", l.blkioWeight + " is out of range; give 10-1000 (0 = the default)");
      }
      if (l.bandwidth != null && l.bandwidth != 0 && (l.bandwidth < BitRate.MIN || l.bandwidth > BitRate.MAX)) {
        p.add(path + ".Limits.Bandwidth", l.bandwidth + " bits/s is out of range; give 8000 (8kbit) to "
            + "32000000000 (32gbit), or 0 for unlimited");
      }
    }
    if (res != null) {
      cpus(p, path + ".Reservations.NanoCPUs", res.nanoCPUs);
      memory(p, path + ".Reservations.MemoryBytes", res.memoryBytes);
      genericResources(p, path + ".Reservations.GenericResources", res.genericResources);
    }
    if (l != null && res != null) {
      notAboveLimit(p, path, "NanoCPUs", res.nanoCPUs, l.nanoCPUs);
      notAboveLimit(p, path, "MemoryBytes", res.memoryBytes, l.memoryBytes);
    }
  }

  private static void cpus(Problems p, String path, Long nanoCpus) {
    if (nanoCpus != null && nanoCpus < 0) {
      p.add(path, "must not be negative (" + nanoCpus + "); give CPUs times 10^9, e.g. 500000000 for half a CPU");
    } else if (nanoCpus != null && nanoCpus > 0 && nanoCpus < MIN_NANO_CPUS) {
      p.add(path, nanoCpus + " is too small; give 0 or at least " + MIN_NANO_CPUS + " (0.001 CPU)");
    }
  }

  private static void memory(Problems p, String path, Long bytes) {
    if (bytes != null && bytes < 0) {
      p.add(path, "must not be negative (" + bytes + "); give a size in bytes");
    } else if (bytes != null && bytes > 0 && bytes < MIN_MEMORY_BYTES) {
      p.add(path, bytes + " is too small; give 0 or at least " + MIN_MEMORY_BYTES + " (4 MiB)");
    }
  }

  private static void notAboveLimit(Problems p, String path, String field, Long reservation, Long limit) {
    if (reservation != null && limit != null && limit > 0 && reservation > limit) {
      p.add(path + ".Reservations." + field, "reservation " + reservation + " is greater than the limit "
          + path + ".Limits." + field + " " + limit + "; reserve at most the limit");
    }
  }

  private static void genericResources(Problems p, String path, List<GenericResource> list) {
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      GenericResource g = list.get(i);
      int set = g == null ? 0 : (g.namedResourceSpec != null ? 1 : 0) + (g.discreteResourceSpec != null ? 1 : 0);
      if (set != 1) {
        p.add(at, "must set exactly one of NamedResourceSpec and DiscreteResourceSpec");
      } else if (g.namedResourceSpec != null && isEmpty(g.namedResourceSpec.kind)) {
        p.add(at + ".NamedResourceSpec.Kind", "must not be empty; name the resource kind, e.g. GPU");
      } else if (g.discreteResourceSpec != null) {
        if (isEmpty(g.discreteResourceSpec.kind)) {
          p.add(at + ".DiscreteResourceSpec.Kind", "must not be empty; name the resource kind, e.g. SSD");
        }
        notNegative(p, at + ".DiscreteResourceSpec.Value", g.discreteResourceSpec.value, "a count");
      }
    }
  }

  private static void restartPolicy(Problems p, String path, RestartPolicy r) {
    if (r == null) {
      return;
    }
    oneOf(p, path + ".Condition", r.condition, true, "none", "on-failure", "any");
    notNegative(p, path + ".Delay", r.delay, "a duration in nanoseconds");
    notNegative(p, path + ".MaxAttempts", r.maxAttempts, "a number of restarts (0 = no limit)");
    notNegative(p, path + ".Window", r.window, "a duration in nanoseconds (0 = unbounded)");
  }

  private static void placement(Problems p, String path, Placement pl) {
    if (pl == null) {
      return;
    }
    if (pl.constraints != null) {
      for (int i = 0; i < pl.constraints.size(); i++) {
        try {
          PlacementConstraint.parse(pl.constraints.get(i));
        } catch (InvalidArgumentException e) {
          p.add(path + ".Constraints[" + i + "]", e.getMessage());
        }
      }
    }
    if (pl.preferences != null) {
      for (int i = 0; i < pl.preferences.size(); i++) {
        String at = path + ".Preferences[" + i + "].Spread";
        Placement.Preference pref = pl.preferences.get(i);
        if (pref == null || pref.spread == null) {
          p.add(at, "must be set; Spread is the only placement preference");
        } else if (!isLabelDescriptor(pref.spread.spreadDescriptor)) {
          p.add(at + ".SpreadDescriptor", "\"" + pref.spread.spreadDescriptor
              + "\" cannot be spread over; use node.labels.<name> or engine.labels.<name>");
        }
      }
    }
    notNegative(p, path + ".MaxReplicas", pl.maxReplicas, "a number of tasks per node (0 = no limit)");
    if (pl.strategy != null && !Placement.SPREAD.equals(pl.strategy) && !Placement.BINPACK.equals(pl.strategy)) {
      p.add(path + ".Strategy", "\"" + pl.strategy + "\" is not a placement strategy; use spread or binpack");
    }
  }

  private static boolean isLabelDescriptor(String d) {
    if (d == null) {
      return false;
    }
    String prefix = d.startsWith(PlacementConstraint.NODE_LABEL_PREFIX) ? PlacementConstraint.NODE_LABEL_PREFIX
        : d.startsWith(PlacementConstraint.ENGINE_LABEL_PREFIX) ? PlacementConstraint.ENGINE_LABEL_PREFIX : null;
    return prefix != null && d.length() > prefix.length();
  }

  private static void networks(Problems p, String path, List<NetworkAttachmentConfig> networks) {
    if (networks == null) {
      return;
    }
    for (int i = 0; i < networks.size(); i++) {
      NetworkAttachmentConfig n = networks.get(i);
      if (n == null || isEmpty(n.target)) {
        p.add(path + "[" + i + "].Target", "must not be empty; give a network name or ID");
      }
    }
  }

  private static void mode(Problems p, String path, ServiceMode m) {
    if (m == null) {
      return;
    }
    List<String> set = new ArrayList<>();
    if (m.replicated != null) {
      set.add("Replicated");
    }
    if (m.global != null) {
      set.add("Global");
    }
    if (m.replicatedJob != null) {
      set.add("ReplicatedJob");
    }
    if (m.globalJob != null) {
      set.add("GlobalJob");
    }
    if (set.equals(List.of("Replicated", "Global"))) {
      p.add(path + (m.replicated.replicas != null ? ".Replicated.Replicas" : ".Replicated"),
          "cannot be set when " + path + ".Global is set; a global service runs one task per node, so drop "
          + "Replicated or Global");
    } else if (set.size() > 1) {
      p.add(path, "sets " + String.join(" and ", set)
          + "; set exactly one of Replicated, Global, ReplicatedJob, GlobalJob");
    }
    if (m.replicated != null) {
      notNegative(p, path + ".Replicated.Replicas", m.replicated.replicas, "a number of tasks");
    }
    if (m.replicatedJob != null) {
      notNegative(p, path + ".ReplicatedJob.MaxConcurrent", m.replicatedJob.maxConcurrent, "a number of tasks");
      notNegative(p, path + ".ReplicatedJob.TotalCompletions", m.replicatedJob.totalCompletions,
          "a number of tasks");
    }
  }

  /** Replicas (and a replicated job's MaxConcurrent) at most {@code max}, the cluster's MaxReplicasPerService. */
  static void replicaLimit(Problems p, ServiceSpec spec, long max) {
    ServiceMode m = spec.mode;
    if (m == null) {
      return;
    }
    String hint = " is above this cluster's maximum of " + max + " tasks per service (Spec.Orchestration."
        + "MaxReplicasPerService of the swarm); ask for fewer, or raise the maximum with "
        + "`jswarm swarm update --max-replicas-per-service N`";
    if (m.replicated != null && m.replicated.replicas != null && m.replicated.replicas > max) {
      p.add("Mode.Replicated.Replicas", m.replicated.replicas + hint);
    }
    if (m.replicatedJob != null && m.replicatedJob.maxConcurrent != null && m.replicatedJob.maxConcurrent > max) {
      p.add("Mode.ReplicatedJob.MaxConcurrent", m.replicatedJob.maxConcurrent + hint);
    }
  }

  private static void updateConfig(Problems p, String path, UpdateConfig u, String... failureActions) {
    if (u == null) {
      return;
    }
    notNegative(p, path + ".Parallelism", u.parallelism, "a number of tasks (0 = all at once)");
    notNegative(p, path + ".Delay", u.delay, "a duration in nanoseconds");
    notNegative(p, path + ".Monitor", u.monitor, "a duration in nanoseconds");
    oneOf(p, path + ".FailureAction", u.failureAction, true, failureActions);
    oneOf(p, path + ".Order", u.order, true, "stop-first", "start-first");
    if (u.maxFailureRatio != null && !(u.maxFailureRatio >= 0 && u.maxFailureRatio <= 1)) {
      p.add(path + ".MaxFailureRatio", u.maxFailureRatio
          + " is outside 0..1; give the fraction of tasks that may fail, e.g. 0.2");
    }
  }

  private static void endpoint(Problems p, String path, EndpointSpec e) {
    if (e == null) {
      return;
    }
    oneOf(p, path + ".Mode", e.mode, true, "vip", "dnsrr");
    if (e.ports == null) {
      return;
    }
    Set<String> published = new HashSet<>();
    for (int i = 0; i < e.ports.size(); i++) {
      String at = path + ".Ports[" + i + "]";
      PortConfig port = e.ports.get(i);
      if (port == null) {
        p.add(at, "must not be null");
        continue;
      }
      oneOf(p, at + ".Protocol", port.protocol, true, "tcp", "udp", "sctp");
      oneOf(p, at + ".PublishMode", port.publishMode, true, "ingress", "host");
      if (port.targetPort == null || port.targetPort < 1 || port.targetPort > 65535) {
        p.add(at + ".TargetPort", (port.targetPort == null ? "must be set" : port.targetPort + " is outside 1-65535")
            + "; give the container's port, 1 to 65535");
      }
      long pub = port.publishedPort == null ? 0 : port.publishedPort;
      if (pub < 0 || pub > 65535) {
        p.add(at + ".PublishedPort", pub + " is outside 1-65535; give a port number, or 0 to let the swarm pick one");
      } else if (pub != 0) {
        String protocol = isEmpty(port.protocol) ? "tcp" : port.protocol;
        if (!published.add(pub + "/" + protocol)) {
          p.add(at + ".PublishedPort", pub + "/" + protocol
              + " is published twice; each published port and protocol may appear only once");
        }
      }
      boolean ingress = isEmpty(port.publishMode) || port.publishMode.equals("ingress");
      if ("dnsrr".equals(e.mode) && ingress) {
        p.add(at + ".PublishMode", "ingress publishing cannot be used with " + path + ".Mode dnsrr; "
            + "publish in host mode or use Mode vip");
      }
    }
  }
}
