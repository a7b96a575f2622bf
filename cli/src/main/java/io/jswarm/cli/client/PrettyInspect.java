package io.jswarm.cli.client;

import io.jswarm.api.listing.HumanTime;
import io.jswarm.api.validation.ByteSize;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.TaskSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code inspect --pretty}: the human-readable layouts of {@code docker node/service inspect --pretty}. */
public final class PrettyInspect {
  private PrettyInspect() {}

  /** A node: id, labels, hostname, status, manager status, platform, resources, engine. */
  public static String node(Node n) {
    StringBuilder b = new StringBuilder();
    Node.Spec spec = n.spec == null ? new Node.Spec() : n.spec;
    Node.Description d = n.description == null ? new Node.Description() : n.description;
    b.append("ID:\t\t\t").append(n.id).append('\n');
    if (spec.name != null && !spec.name.isEmpty()) {
      b.append("Name:\t\t\t").append(spec.name).append('\n');
    }
    labels(b, "Labels:", spec.labels);
    b.append("Hostname:              \t").append(orEmpty(d.hostname)).append('\n');
    b.append("Joined at:             \t").append(orEmpty(n.createdAt)).append('\n');
    b.append("Status:\n");
    Node.Status st = n.status == null ? new Node.Status() : n.status;
    b.append(" State:\t\t\t").append(HumanTime.capitalize(st.state)).append('\n');
    if (st.message != null && !st.message.isEmpty()) {
      b.append(" Message:              \t").append(st.message).append('\n');
    }
    b.append(" Availability:         \t").append(HumanTime.capitalize(spec.availability)).append('\n');
    if (st.addr != null && !st.addr.isEmpty()) {
      b.append(" Address:\t\t").append(st.addr).append('\n');
    }
    if (n.managerStatus != null) {
      b.append("Manager Status:\n");
      b.append(" Address:\t\t").append(orEmpty(n.managerStatus.addr)).append('\n');
      b.append(" Raft Status:\t\t").append(HumanTime.capitalize(n.managerStatus.reachability)).append('\n');
      b.append(" Leader:\t\t").append(Boolean.TRUE.equals(n.managerStatus.leader) ? "Yes" : "No").append('\n');
    }
    b.append("Platform:\n");
    b.append(" Operating System:\t").append(d.platform == null ? "" : orEmpty(d.platform.os)).append('\n');
    b.append(" Architecture:\t\t").append(d.platform == null ? "" : orEmpty(d.platform.architecture)).append('\n');
    b.append("Resources:\n");
    long cpus = d.resources == null || d.resources.nanoCPUs == null ? 0 : d.resources.nanoCPUs;
    long mem = d.resources == null || d.resources.memoryBytes == null ? 0 : d.resources.memoryBytes;
    b.append(" CPUs:\t\t\t").append(NanoCpus.format(cpus)).append('\n');
    b.append(" Memory:\t\t").append(ByteSize.human(mem)).append('\n');
    b.append("Engine Version:\t\t").append(d.engine == null ? "" : orEmpty(d.engine.engineVersion)).append('\n');
    if (d.engine != null) {
      labels(b, "Engine Labels:", d.engine.labels);
      if (d.engine.missingFeatures != null && !d.engine.missingFeatures.isEmpty()) {
        b.append("Missing Features:\n");
        d.engine.missingFeatures.forEach((f, why) -> b.append(" - ").append(f).append(": ").append(why).append('\n'));
      }
    }
    return b.toString();
  }

  /** Docker's UpdateConfig / RollbackConfig block, with Docker's defaults for what is not set. */
  private static void rollout(StringBuilder b, String title, String orderLabel, io.jswarm.api.types.UpdateConfig u) {
    if (u == null) {
      return;
    }
    b.append(title).append(":\n");
    b.append(" Parallelism:\t").append(u.parallelism == null ? 1 : u.parallelism).append('\n');
    if (u.delay != null && u.delay > 0) {
      b.append(" Delay:\t\t").append(GoDuration.format(u.delay)).append('\n');
    }
    b.append(" On failure:\t").append(u.failureAction == null ? "pause" : u.failureAction).append('\n');
    b.append(" Monitoring Period: ").append(GoDuration.format(u.monitor == null ? 5_000_000_000L : u.monitor))
        .append('\n');
    double ratio = u.maxFailureRatio == null ? 0 : u.maxFailureRatio;
    b.append(" Max failure ratio: ").append(ratio == Math.rint(ratio) ? Long.toString((long) ratio)
        : Double.toString(ratio)).append('\n');
    b.append(" ").append(orderLabel).append(":    ").append(u.order == null ? "stop-first" : u.order).append('\n');
  }

  /** A service: id, name, labels, mode, placement, container, resources, restart policy, endpoint. */
  public static String service(Service s) {
    StringBuilder b = new StringBuilder("\n");
    Service.ServiceSpec spec = s.spec == null ? new Service.ServiceSpec() : s.spec;
    b.append("ID:\t\t").append(s.id).append('\n');
    b.append("Name:\t\t").append(orEmpty(spec.name)).append('\n');
    if (spec.labels != null && !spec.labels.isEmpty()) {
      b.append("Labels:\n");
      new TreeMap<>(spec.labels).forEach((k, v) -> b.append(' ').append(k).append(v.isEmpty() ? "" : "=" + v).append('\n'));
    }
    b.append("Service Mode:");
    if (spec.mode != null && spec.mode.global != null) {
      b.append("\tGlobal\n");
    } else if (spec.mode == null || spec.mode.replicated != null) {
      b.append("\tReplicated\n");
      if (spec.mode != null && spec.mode.replicated.replicas != null) {
        b.append(" Replicas:\t").append(spec.mode.replicated.replicas).append('\n');
      }
    } else {
      b.append('\t').append(ServiceListing.mode(Json.mapper().valueToTree(spec.mode))).append('\n');
    }
    if (s.updateStatus != null) {
      b.append("UpdateStatus:\n State:\t\t").append(orEmpty(s.updateStatus.state)).append('\n');
      if (s.updateStatus.startedAt != null) {
        b.append(" Started:\t").append(s.updateStatus.startedAt).append('\n');
      }
      if (s.updateStatus.completedAt != null) {
        b.append(" Completed:\t").append(s.updateStatus.completedAt).append('\n');
      }
      b.append(" Message:\t").append(orEmpty(s.updateStatus.message)).append('\n');
      if (s.updateStatus.canary != null) {
        b.append(" Canary:\t").append(s.updateStatus.canary).append('\n');
      }
    }
    TaskSpec task = spec.taskTemplate == null ? new TaskSpec() : spec.taskTemplate;
    b.append("Placement:\n");
    Placement p = task.placement;
    if (p != null) {
      if (p.constraints != null && !p.constraints.isEmpty()) {
        b.append(" Constraints:\t").append(p.constraints).append('\n');
      }
      if (p.preferences != null && !p.preferences.isEmpty()) {
        b.append(" Preferences:   ").append(p.preferences.stream()
            .map(x -> x.spread == null ? "" : "Spread=" + x.spread.spreadDescriptor).toList()).append('\n');
      }
      if (p.maxReplicas != null && p.maxReplicas > 0) {
        b.append(" Max Replicas Per Node:   ").append(p.maxReplicas).append('\n');
      }
      if (p.strategy != null) {
        b.append(" Strategy:\t").append(p.strategy).append('\n');
      }
      if (Placement.rebalanceOnJoin(p)) {
        b.append(" Rebalance on join:\ttrue\n");
      }
    }
    rollout(b, "UpdateConfig", "Update order", spec.updateConfig);
    rollout(b, "RollbackConfig", "Rollback order", spec.rollbackConfig);
    ContainerSpec c = task.containerSpec == null ? new ContainerSpec() : task.containerSpec;
    b.append("ContainerSpec:\n");
    b.append(" Image:\t\t").append(orEmpty(c.image)).append('\n');
    if (c.args != null && !c.args.isEmpty()) {
      b.append(" Args:\t\t").append(String.join(" ", c.args)).append(" \n");
    }
    if (c.env != null && !c.env.isEmpty()) {
      b.append(" Env:\t\t").append(String.join(" ", c.env)).append(" \n");
    }
    if (c.secrets != null && !c.secrets.isEmpty()) { // docker's layout: the file, then the secret it shows
      b.append("Secrets:\n");
      c.secrets.forEach(r -> b.append(" Target:\t").append(r.file == null ? "" : r.file.name).append("\n  Source:\t")
          .append(orEmpty(r.secretName)).append('\n'));
    }
    if (c.configs != null && !c.configs.isEmpty()) {
      b.append("Configs:\n");
      c.configs.forEach(r -> b.append(" Target:\t").append(r.file == null ? "" : r.file.name).append("\n  Source:\t")
          .append(orEmpty(r.configName)).append('\n'));
    }
    ResourceRequirements r = task.resources;
    if (r != null && (r.reservations != null || r.limits != null)) {
      b.append("Resources:\n");
      if (r.reservations != null && (nz(r.reservations.nanoCPUs) || nz(r.reservations.memoryBytes))) {
        b.append(" Reservations:\n");
        if (nz(r.reservations.nanoCPUs)) {
          b.append("  CPU:\t\t").append(NanoCpus.format(r.reservations.nanoCPUs)).append('\n');
        }
        if (nz(r.reservations.memoryBytes)) {
          b.append("  Memory:\t").append(ByteSize.human(r.reservations.memoryBytes)).append('\n');
        }
      }
      if (r.limits != null && (nz(r.limits.nanoCPUs) || nz(r.limits.memoryBytes))) {
        b.append(" Limits:\n");
        if (nz(r.limits.nanoCPUs)) {
          b.append("  CPU:\t\t").append(NanoCpus.format(r.limits.nanoCPUs)).append('\n');
        }
        if (nz(r.limits.memoryBytes)) {
          b.append("  Memory:\t").append(ByteSize.human(r.limits.memoryBytes)).append('\n');
        }
      }
    }
    RestartPolicy rp = task.restartPolicy;
    if (rp != null) {
      b.append("RestartPolicy:\n");
      b.append(" Condition:\t").append(orEmpty(rp.condition)).append('\n');
      if (rp.delay != null) {
        b.append(" Delay:\t\t").append(GoDuration.format(rp.delay)).append('\n');
      }
      if (rp.maxAttempts != null) {
        b.append(" Max Attempts:\t").append(rp.maxAttempts).append('\n');
      }
      if (rp.window != null) {
        b.append(" Window:\t").append(GoDuration.format(rp.window)).append('\n');
      }
    }
    if (task != null && task.networks != null && !task.networks.isEmpty()) {
      b.append("Networks:");
      task.networks.forEach(n -> b.append(' ').append(n.target));
      b.append('\n');
    }
    b.append("Endpoint Mode:\t").append(spec.endpointSpec == null || spec.endpointSpec.mode == null ? "vip"
        : spec.endpointSpec.mode).append('\n');
    List<PortConfig> ports = s.endpoint != null && s.endpoint.ports != null ? s.endpoint.ports
        : spec.endpointSpec == null ? null : spec.endpointSpec.ports;
    if (ports != null && !ports.isEmpty()) {
      b.append("Ports:\n");
      for (PortConfig port : ports) {
        b.append(" PublishedPort = ").append(port.publishedPort == null ? 0 : port.publishedPort).append('\n');
        b.append("  Protocol = ").append(port.protocol == null ? "tcp" : port.protocol).append('\n');
        b.append("  TargetPort = ").append(port.targetPort).append('\n');
        b.append("  PublishMode = ").append(port.publishMode == null ? "ingress" : port.publishMode).append('\n');
      }
    }
    return b.toString();
  }

  private static void labels(StringBuilder b, String title, Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return;
    }
    b.append(title).append('\n');
    new TreeMap<>(labels).forEach((k, v) -> b.append(" - ").append(k).append(v.isEmpty() ? "" : "=" + v).append('\n'));
  }

  private static boolean nz(Long v) {
    return v != null && v != 0;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
