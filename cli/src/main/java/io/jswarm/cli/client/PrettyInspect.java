package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.listing.HumanTime;
import io.jswarm.api.validation.ByteSize;
import java.util.Map;
import java.util.TreeMap;

/** {@code inspect --pretty}: the human-readable layouts of {@code docker node/service inspect --pretty}. */
public final class PrettyInspect {
  private PrettyInspect() {}

  /**
   * A node: id, labels, hostname, status, manager status, platform, resources, engine; printed from the daemon's JSON
   * tree, no data binding (what binding to {@code Node} printed: {@code PrettyInspectTest}).
   */
  public static String node(JsonNode n) {
    StringBuilder b = new StringBuilder();
    JsonNode spec = n.path("Spec");
    JsonNode d = n.path("Description");
    b.append("ID:\t\t\t").append(raw(n.path("ID"))).append('\n');
    if (!text(spec.path("Name")).isEmpty()) {
      b.append("Name:\t\t\t").append(text(spec.path("Name"))).append('\n');
    }
    labels(b, "Labels:", spec.path("Labels"));
    b.append("Hostname:              \t").append(text(d.path("Hostname"))).append('\n');
    b.append("Joined at:             \t").append(text(n.path("CreatedAt"))).append('\n');
    b.append("Status:\n");
    JsonNode st = n.path("Status");
    b.append(" State:\t\t\t").append(HumanTime.capitalize(text(st.path("State")))).append('\n');
    if (!text(st.path("Message")).isEmpty()) {
      b.append(" Message:              \t").append(text(st.path("Message"))).append('\n');
    }
    b.append(" Availability:         \t").append(HumanTime.capitalize(text(spec.path("Availability")))).append('\n');
    if (!text(st.path("Addr")).isEmpty()) {
      b.append(" Address:\t\t").append(text(st.path("Addr"))).append('\n');
    }
    JsonNode ms = n.path("ManagerStatus");
    if (set(ms)) {
      b.append("Manager Status:\n");
      b.append(" Address:\t\t").append(text(ms.path("Addr"))).append('\n');
      b.append(" Raft Status:\t\t").append(HumanTime.capitalize(text(ms.path("Reachability")))).append('\n');
      b.append(" Leader:\t\t").append(ms.path("Leader").asBoolean(false) ? "Yes" : "No").append('\n');
    }
    b.append("Platform:\n");
    b.append(" Operating System:\t").append(text(d.path("Platform").path("OS"))).append('\n');
    b.append(" Architecture:\t\t").append(text(d.path("Platform").path("Architecture"))).append('\n');
    b.append("Resources:\n");
    b.append(" CPUs:\t\t\t").append(NanoCpus.format(d.path("Resources").path("NanoCPUs").asLong(0))).append('\n');
    b.append(" Memory:\t\t").append(ByteSize.human(d.path("Resources").path("MemoryBytes").asLong(0))).append('\n');
    JsonNode engine = d.path("Engine");
    b.append("Engine Version:\t\t").append(text(engine.path("EngineVersion"))).append('\n');
    labels(b, "Engine Labels:", engine.path("Labels"));
    JsonNode missing = engine.path("MissingFeatures");
    if (missing.size() > 0) {
      b.append("Missing Features:\n");
      for (java.util.Iterator<Map.Entry<String, JsonNode>> it = missing.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        b.append(" - ").append(e.getKey()).append(": ").append(raw(e.getValue())).append('\n');
      }
    }
    return b.toString();
  }

  /** Docker's UpdateConfig / RollbackConfig block, with Docker's defaults for what is not set. */
  private static void rollout(StringBuilder b, String title, String orderLabel, JsonNode u) {
    if (!set(u)) {
      return;
    }
    b.append(title).append(":\n");
    b.append(" Parallelism:\t").append(set(u.path("Parallelism")) ? u.path("Parallelism").asLong() : 1).append('\n');
    if (u.path("Delay").asLong() > 0) {
      b.append(" Delay:\t\t").append(GoDuration.format(u.path("Delay").asLong())).append('\n');
    }
    b.append(" On failure:\t").append(or(u.path("FailureAction"), "pause")).append('\n');
    b.append(" Monitoring Period: ")
        .append(GoDuration.format(set(u.path("Monitor")) ? u.path("Monitor").asLong() : 5_000_000_000L)).append('\n');
    double ratio = u.path("MaxFailureRatio").asDouble();
    b.append(" Max failure ratio: ").append(ratio == Math.rint(ratio) ? Long.toString((long) ratio)
        : Double.toString(ratio)).append('\n');
    b.append(" ").append(orderLabel).append(":    ").append(or(u.path("Order"), "stop-first")).append('\n');
  }

  /**
   * A service ({@code GET /services/ID} as the daemon sent it): id, name, labels, mode, placement, container,
   * resources, restart policy, endpoint; its networks named by {@code networkNames} (id to name) where it has them.
   * Read from the JSON tree, not bound to {@code Service}: data binding was two thirds of a cold {@code --pretty}.
   */
  public static String service(JsonNode s, Map<String, String> networkNames) {
    StringBuilder b = new StringBuilder("\n");
    JsonNode spec = s.path("Spec");
    b.append("ID:\t\t").append(raw(s.path("ID"))).append('\n');
    b.append("Name:\t\t").append(text(spec.path("Name"))).append('\n');
    JsonNode labels = spec.path("Labels");
    if (labels.size() > 0) {
      b.append("Labels:\n");
      for (Map.Entry<String, String> e : sorted(labels).entrySet()) {
        b.append(' ').append(e.getKey()).append(e.getValue().isEmpty() ? "" : "=" + e.getValue()).append('\n');
      }
    }
    b.append("Service Mode:");
    JsonNode mode = spec.path("Mode");
    if (set(mode.path("Global"))) {
      b.append("\tGlobal\n");
    } else if (!set(mode) || set(mode.path("Replicated"))) {
      b.append("\tReplicated\n");
      if (set(mode.path("Replicated").path("Replicas"))) {
        b.append(" Replicas:\t").append(mode.path("Replicated").path("Replicas").asLong()).append('\n');
      }
    } else {
      b.append('\t').append(ServiceListing.mode(mode)).append('\n');
    }
    JsonNode us = s.path("UpdateStatus");
    if (set(us)) {
      b.append("UpdateStatus:\n State:\t\t").append(text(us.path("State"))).append('\n');
      if (set(us.path("StartedAt"))) {
        b.append(" Started:\t").append(us.path("StartedAt").asText()).append('\n');
      }
      if (set(us.path("CompletedAt"))) {
        b.append(" Completed:\t").append(us.path("CompletedAt").asText()).append('\n');
      }
      b.append(" Message:\t").append(text(us.path("Message"))).append('\n');
      if (set(us.path("Canary"))) {
        b.append(" Canary:\t").append(us.path("Canary").asLong()).append('\n');
      }
    }
    JsonNode task = spec.path("TaskTemplate");
    b.append("Placement:\n");
    JsonNode p = task.path("Placement");
    if (set(p)) {
      if (p.path("Constraints").size() > 0) {
        b.append(" Constraints:\t[");
        join(b, p.path("Constraints"), ", ").append("]\n");
      }
      JsonNode prefs = p.path("Preferences");
      if (prefs.size() > 0) {
        b.append(" Preferences:   [");
        for (int i = 0; i < prefs.size(); i++) {
          JsonNode spread = prefs.get(i).path("Spread");
          b.append(i == 0 ? "" : ", ").append(set(spread) ? "Spread=" + raw(spread.path("SpreadDescriptor")) : "");
        }
        b.append("]\n");
      }
      if (p.path("MaxReplicas").asLong() > 0) {
        b.append(" Max Replicas Per Node:   ").append(p.path("MaxReplicas").asLong()).append('\n');
      }
      if (set(p.path("Strategy"))) {
        b.append(" Strategy:\t").append(p.path("Strategy").asText()).append('\n');
      }
      if (p.path("RebalanceOnJoin").asBoolean()) {
        b.append(" Rebalance on join:\ttrue\n");
      }
    }
    rollout(b, "UpdateConfig", "Update order", spec.path("UpdateConfig"));
    rollout(b, "RollbackConfig", "Rollback order", spec.path("RollbackConfig"));
    JsonNode c = task.path("ContainerSpec");
    b.append("ContainerSpec:\n");
    b.append(" Image:\t\t").append(text(c.path("Image"))).append('\n');
    if (c.path("Args").size() > 0) {
      join(b.append(" Args:\t\t"), c.path("Args"), " ").append(" \n");
    }
    if (c.path("Env").size() > 0) {
      join(b.append(" Env:\t\t"), c.path("Env"), " ").append(" \n");
    }
    references(b, "Secrets:\n", c.path("Secrets"), "SecretName"); // docker's layout: the file, then what it shows
    references(b, "Configs:\n", c.path("Configs"), "ConfigName");
    JsonNode reservations = task.path("Resources").path("Reservations");
    JsonNode limits = task.path("Resources").path("Limits");
    if (set(reservations) || set(limits)) {
      b.append("Resources:\n");
      resources(b, " Reservations:\n", "  CPU:\t\t", reservations);
      resources(b, " Limits:\n", "  CPU:\t\t", limits);
    }
    JsonNode rp = task.path("RestartPolicy");
    if (set(rp)) {
      b.append("RestartPolicy:\n");
      b.append(" Condition:\t").append(text(rp.path("Condition"))).append('\n');
      if (set(rp.path("Delay"))) {
        b.append(" Delay:\t\t").append(GoDuration.format(rp.path("Delay").asLong())).append('\n');
      }
      if (set(rp.path("MaxAttempts"))) {
        b.append(" Max Attempts:\t").append(rp.path("MaxAttempts").asLong()).append('\n');
      }
      if (set(rp.path("Window"))) {
        b.append(" Window:\t").append(GoDuration.format(rp.path("Window").asLong())).append('\n');
      }
    }
    JsonNode networks = task.path("Networks");
    if (networks.size() > 0) {
      b.append("Networks:");
      for (JsonNode n : networks) {
        String target = raw(n.path("Target"));
        String name = networkNames.get(target);
        b.append(' ').append(name != null ? name : target);
      }
      b.append('\n');
    }
    b.append("Endpoint Mode:\t").append(or(spec.path("EndpointSpec").path("Mode"), "vip")).append('\n');
    JsonNode ports = set(s.path("Endpoint").path("Ports")) ? s.path("Endpoint").path("Ports")
        : spec.path("EndpointSpec").path("Ports");
    if (ports.size() > 0) {
      b.append("Ports:\n");
      for (JsonNode port : ports) {
        b.append(" PublishedPort = ").append(port.path("PublishedPort").asLong()).append('\n');
        b.append("  Protocol = ").append(or(port.path("Protocol"), "tcp")).append('\n');
        b.append("  TargetPort = ").append(raw(port.path("TargetPort"))).append('\n');
        b.append("  PublishMode = ").append(or(port.path("PublishMode"), "ingress")).append('\n');
      }
    }
    return b.toString();
  }

  /** A service's secrets or configs: each file's name, then the secret or config it shows. */
  private static void references(StringBuilder b, String title, JsonNode refs, String nameField) {
    if (refs.size() == 0) {
      return;
    }
    b.append(title);
    for (JsonNode r : refs) {
      JsonNode file = r.path("File");
      b.append(" Target:\t").append(set(file) ? raw(file.path("Name")) : "").append("\n  Source:\t")
          .append(text(r.path(nameField))).append('\n');
    }
  }

  /** One of a task's resource blocks (reservations, limits): the CPUs and memory that are not zero. */
  private static void resources(StringBuilder b, String title, String cpuLabel, JsonNode r) {
    long cpus = r.path("NanoCPUs").asLong();
    long memory = r.path("MemoryBytes").asLong();
    if (cpus == 0 && memory == 0) {
      return;
    }
    b.append(title);
    if (cpus != 0) {
      b.append(cpuLabel).append(NanoCpus.format(cpus)).append('\n');
    }
    if (memory != 0) {
      b.append("  Memory:\t").append(ByteSize.human(memory)).append('\n');
    }
  }

  /** Whether {@code n} holds something other than null. */
  private static boolean set(JsonNode n) {
    return !n.isMissingNode() && !n.isNull();
  }

  /** A text member as the bound field printed through {@link #orEmpty}: "" when absent or null. */
  private static String text(JsonNode n) {
    return set(n) ? n.asText() : "";
  }

  /** A text member, {@code otherwise} when absent or null (docker's default for what is not set). */
  private static String or(JsonNode n, String otherwise) {
    return set(n) ? n.asText() : otherwise;
  }

  /** A member as a bound field appended as it is: "null" when absent or null. */
  private static String raw(JsonNode n) {
    return set(n) ? n.asText() : "null";
  }

  /** The array's items joined by {@code sep} (a null item as "null", as a list's {@code toString} gives it). */
  private static StringBuilder join(StringBuilder b, JsonNode items, String sep) {
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : sep).append(items.get(i).asText());
    }
    return b;
  }

  /** An object's members by name, their values as text. */
  private static TreeMap<String, String> sorted(JsonNode object) {
    TreeMap<String, String> sorted = new TreeMap<>();
    for (java.util.Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sorted.put(e.getKey(), e.getValue().asText());
    }
    return sorted;
  }

  /** An object of labels, sorted by key, {@code k=v} or {@code k} for an empty value; nothing for none. */
  private static void labels(StringBuilder b, String title, JsonNode labels) {
    if (labels.size() == 0 || !labels.isObject()) {
      return;
    }
    b.append(title).append('\n');
    for (Map.Entry<String, String> e : sorted(labels).entrySet()) {
      b.append(" - ").append(e.getKey()).append(e.getValue().isEmpty() ? "" : "=" + e.getValue()).append('\n');
    }
  }

  private static boolean nz(Long v) {
    return v != null && v != 0;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
