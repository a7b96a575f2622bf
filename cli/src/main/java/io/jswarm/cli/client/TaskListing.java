package io.jswarm.cli.client;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code service ps} / {@code node ps} rows with the docker CLI's columns: NAME is {@code service.slot} (or
 * {@code service.nodeid} for global services), tasks of one slot are listed newest first and, in the table,
 * the older ones are prefixed with {@code " \_ "}; NODE is the node's hostname; CURRENT STATE reads
 * "Running 5 seconds ago", followed by the container's health when it has a check ("(healthy)").
 */
public final class TaskListing {
  private static final int MAX_ERROR = 30;

  private TaskListing() {}

  /** One line of a task list. {@code name} has no indent; {@code previous} marks an older task of the same slot. */
  public record Row(String id, String name, boolean previous, String image, String node, String desiredState,
      String currentState, String error, String ports) {
    public Map<String, Object> json() {
      Map<String, Object> m = new TreeMap<>();
      m.put("CurrentState", currentState);
      m.put("DesiredState", desiredState);
      m.put("Error", error);
      m.put("ID", id);
      m.put("Image", image);
      m.put("Name", name);
      m.put("Node", node);
      m.put("Ports", ports);
      return m;
    }
  }

  /**
   * Rows in docker's order. {@code serviceNames} and {@code nodeNames} map ids to names (unknown ids are shown
   * as they are); {@code trunc} shortens ids, images and errors as docker does without {@code --no-trunc}.
   */
  public static List<Row> rows(List<Task> tasks, Map<String, String> serviceNames, Map<String, String> nodeNames,
      Instant now, boolean trunc) {
    record Named(Task task, String name, Instant created) {}
    List<Named> named = new ArrayList<>();
    for (Task t : tasks) {
      String service = serviceNames.getOrDefault(t.serviceId, t.serviceId == null ? "" : t.serviceId);
      String suffix = t.slot != null && t.slot != 0 ? Long.toString(t.slot) : t.nodeId == null ? "" : t.nodeId;
      named.add(new Named(t, service + "." + suffix, instant(t.createdAt)));
    }
    named.sort(Comparator.comparing(Named::name, NaturalOrder.INSTANCE)
        .thenComparing(Named::created, Comparator.nullsLast(Comparator.reverseOrder())));
    List<Row> rows = new ArrayList<>();
    String previousName = null;
    for (Named n : named) {
      Task t = n.task();
      String image = t.spec == null || t.spec.containerSpec == null || t.spec.containerSpec.image == null
          ? "" : t.spec.containerSpec.image;
      String node = t.nodeId == null || t.nodeId.isEmpty() ? "" : nodeNames.getOrDefault(t.nodeId, t.nodeId);
      rows.add(new Row(trunc ? ServiceListing.shortId(t.id) : t.id, n.name(), n.name().equals(previousName),
          trunc ? ImageNames.forDisplay(image) : image, node,
          HumanTime.capitalize(t.desiredState == null ? "" : t.desiredState.json()),
          currentState(t, now), error(t, trunc), ports(t)));
      previousName = n.name();
    }
    return rows;
  }

  private static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return null;
    }
    try {
      return Timestamps.parse(timestamp);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String currentState(Task t, Instant now) {
    Task.TaskStatus s = t.status;
    String state = HumanTime.capitalize(s == null || s.state == null ? "" : s.state.json());
    Instant at = instant(s == null ? null : s.timestamp);
    if (at == null) {
      at = instant(t.updatedAt != null ? t.updatedAt : t.createdAt);
    }
    if (at == null) {
      return state;
    }
    Duration ago = Duration.between(at, now);
    if (ago.isNegative()) {
      ago = Duration.ZERO;
    }
    return state + " " + HumanTime.duration(ago).toLowerCase(Locale.ROOT) + " ago" + health(t);
  }

  /** {@code " (healthy)"} etc. for a task with a health check, as {@code docker ps} shows it; else empty. */
  private static String health(Task t) {
    String h = t.status == null || t.status.containerStatus == null ? null : t.status.containerStatus.health;
    return h == null || h.isEmpty() ? "" : " (" + h + ")";
  }

  private static String error(Task t, boolean trunc) {
    String err = t.status == null || t.status.err == null ? "" : t.status.err;
    if (trunc && err.codePointCount(0, err.length()) > MAX_ERROR) {
      err = err.substring(0, err.offsetByCodePoints(0, MAX_ERROR - 1)) + "…";
    }
    return err.isEmpty() ? "" : "\"" + err + "\"";
  }

  private static String ports(Task t) {
    if (t.status == null || t.status.portStatus == null || t.status.portStatus.ports == null) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (PortConfig p : t.status.portStatus.ports) {
      out.add("*:" + p.publishedPort + "->" + p.targetPort + "/" + (p.protocol == null ? "tcp" : p.protocol));
    }
    return String.join(",", out);
  }

  /** The default table: {@code ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS}. */
  public static String table(List<Row> rows) {
    TextTable t = new TextTable(List.of("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"));
    for (Row r : rows) {
      t.row(List.of(r.id(), (r.previous() ? " \\_ " : "") + r.name(), r.image(), r.node(), r.desiredState(),
          r.currentState(), r.error(), r.ports()));
    }
    return t.render();
  }
}
