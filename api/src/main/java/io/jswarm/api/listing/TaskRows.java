package io.jswarm.api.listing;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of a task list with the docker CLI's columns and order ({@code docker service ps}): NAME is
 * {@code service.slot} (or {@code service.nodeid} for a global service's task), tasks of one name are listed newest
 * first and the older ones are marked {@link TaskRow#previous}; NODE is the node's hostname; CURRENT STATE reads
 * "Running 5 seconds ago", followed by the container's health when it has a check ("(healthy)").
 *
 * <p>The daemon makes them ({@code GET /tasks?view=rows}) from its own rows, so a client verb reads ~100 bytes a task
 * instead of a task's whole JSON, the nodes and the services (docs/footprint.md).
 */
public final class TaskRows {
  private static final int MAX_ERROR = 30;

  private TaskRows() {}

  /**
   * Rows in docker's order. {@code serviceNames} and {@code nodeNames} map ids to names (unknown ids are shown as
   * they are); {@code trunc} shortens ids, images and errors as docker does without {@code --no-trunc}; {@code now} is
   * the client's clock, which "5 seconds ago" is counted from.
   */
  public static List<TaskRow> rows(Collection<Task> tasks, Map<String, String> serviceNames,
      Map<String, String> nodeNames, Instant now, boolean trunc) {
    record Named(Task task, String name, char[] key, Instant created) {}
    List<Named> named = new ArrayList<>();
    for (Task t : tasks) {
      String serviceId = text(t.serviceId);
      String service = serviceNames.getOrDefault(serviceId, serviceId);
      long slot = t.slot == null ? 0 : t.slot;
      String name = service + "." + (slot != 0 ? Long.toString(slot) : text(t.nodeId));
      named.add(new Named(t, name, name.toCharArray(), instant(t.createdAt)));
    }
    named.sort(new Comparator<>() {
      @Override
      public int compare(Named a, Named b) {
        int byName = NaturalOrder.compare(a.key(), b.key());
        if (byName != 0) {
          return byName;
        }
        // newest first, tasks without a creation time last
        return a.created() == null ? (b.created() == null ? 0 : 1) : b.created() == null ? -1
            : b.created().compareTo(a.created());
      }
    });
    List<TaskRow> rows = new ArrayList<>(named.size());
    Map<String, String> words = new HashMap<>(); // "running" -> "Running": a few words, capitalized once each
    String previousName = null;
    for (Named n : named) {
      Task t = n.task();
      String id = text(t.id);
      String image = t.spec == null || t.spec.containerSpec == null ? "" : text(t.spec.containerSpec.image);
      String nodeId = text(t.nodeId);
      String node = nodeId.isEmpty() ? "" : nodeNames.getOrDefault(nodeId, nodeId);
      rows.add(new TaskRow(trunc ? Ids.shortId(id) : id, n.name(), n.name().equals(previousName),
          trunc ? ImageNames.forDisplay(image) : image, node, word(t.desiredState, words),
          currentState(t, now, words), error(t, trunc), ports(t)));
      previousName = n.name();
    }
    return rows;
  }

  /**
   * The default table of {@code service ps} / {@code node ps}: {@code ID NAME IMAGE NODE DESIRED STATE CURRENT STATE
   * ERROR PORTS}, a slot's older tasks prefixed with {@code " \_ "} ({@code GET /tasks?view=table} answers it whole,
   * so that the client prints it without reading JSON; docs/footprint.md).
   */
  public static String table(List<TaskRow> rows) {
    TextTable t = new TextTable(List.of("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"));
    for (TaskRow r : rows) {
      t.row(List.of(r.id(), (r.previous() ? " \\_ " : "") + r.name(), r.image(), r.node(), r.desiredState(),
          r.currentState(), r.error(), r.ports()));
    }
    return t.render();
  }

  private static String text(String s) {
    return s == null ? "" : s;
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

  private static String word(TaskState state, Map<String, String> done) {
    String w = state == null ? "" : state.json();
    return done.computeIfAbsent(w, HumanTime::capitalize);
  }

  private static String currentState(Task t, Instant now, Map<String, String> words) {
    Task.TaskStatus status = t.status;
    String state = word(status == null ? null : status.state, words);
    Instant at = status == null ? null : instant(status.timestamp);
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
    return state + " " + HumanTime.duration(ago).toLowerCase(Locale.ROOT) + " ago" + health(status);
  }

  /** {@code " (healthy)"} etc. for a task with a health check, as {@code docker ps} shows it; else empty. */
  private static String health(Task.TaskStatus status) {
    String h = status.containerStatus == null ? "" : text(status.containerStatus.health);
    return h.isEmpty() ? "" : " (" + h + ")";
  }

  private static String error(Task t, boolean trunc) {
    String err = t.status == null ? "" : text(t.status.err);
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
      String proto = text(p.protocol);
      out.add("*:" + p.publishedPort + "->" + p.targetPort + "/" + (proto.isEmpty() ? "tcp" : proto));
    }
    return String.join(",", out);
  }
}
