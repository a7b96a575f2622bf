package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

  /** What {@link #rows} reads of a task (and {@code service ps} of {@code GET /tasks}'s answer; docs/footprint.md). */
  static final JsonShape COLUMNS = JsonShape.of("ID", "ServiceID", "Slot", "NodeID", "CreatedAt", "UpdatedAt",
      "DesiredState", "Spec.ContainerSpec.Image", "Status.State", "Status.Timestamp", "Status.Err",
      "Status.ContainerStatus.Health", "Status.PortStatus");

  private TaskListing() {}

  /** One line of a task list. {@code name} has no indent; {@code previous} marks an older task of the same slot. */
  public record Row(String id, String name, boolean previous, String image, String node, String desiredState,
      String currentState, String error, String ports) implements ListingRow {
    @Override
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
  public static List<Row> rows(JsonNode tasks, Map<String, String> serviceNames, Map<String, String> nodeNames,
      Instant now, boolean trunc) {
    record Named(JsonNode task, String name, char[] key, Instant created) {}
    List<Named> named = new ArrayList<>();
    for (JsonNode t : tasks) {
      String serviceId = JsonTrees.text(t, "ServiceID");
      String service = serviceNames.getOrDefault(serviceId, serviceId);
      long slot = JsonTrees.number(t, "Slot");
      String suffix = slot != 0 ? Long.toString(slot) : JsonTrees.text(t, "NodeID");
      String name = service + "." + suffix;
      named.add(new Named(t, name, name.toCharArray(), instant(JsonTrees.text(t, "CreatedAt"))));
    }
    named.sort(new java.util.Comparator<>() { // a class, not a lambda (see ServiceListing)
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
    List<Row> rows = new ArrayList<>();
    Map<String, String> states = new HashMap<>(); // "running" -> "Running": a few words, capitalized once each
    String previousName = null;
    for (Named n : named) {
      JsonNode t = n.task();
      String id = JsonTrees.text(t, "ID");
      String image = JsonTrees.text(t, "Spec", "ContainerSpec", "Image");
      String nodeId = JsonTrees.text(t, "NodeID");
      String node = nodeId.isEmpty() ? "" : nodeNames.getOrDefault(nodeId, nodeId);
      rows.add(new Row(trunc ? ServiceListing.shortId(id) : id, n.name(), n.name().equals(previousName),
          trunc ? ImageNames.forDisplay(image) : image, node,
          capitalize(JsonTrees.text(t, "DesiredState"), states), currentState(t, now, states), error(t, trunc), ports(t)));
      previousName = n.name();
    }
    return rows;
  }

  private static Instant instant(String timestamp) {
    if (timestamp.isEmpty()) {
      return null;
    }
    Instant plain = TimestampReader.read(timestamp);
    if (plain != null) {
      return plain;
    }
    try {
      return Timestamps.parse(timestamp);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String capitalize(String word, Map<String, String> done) {
    String c = done.get(word);
    if (c == null) {
      c = HumanTime.capitalize(word);
      done.put(word, c);
    }
    return c;
  }

  private static String currentState(JsonNode t, Instant now, Map<String, String> states) {
    String state = capitalize(JsonTrees.text(t, "Status", "State"), states);
    Instant at = instant(JsonTrees.text(t, "Status", "Timestamp"));
    if (at == null) {
      at = instant(JsonTrees.present(t, "UpdatedAt") ? JsonTrees.text(t, "UpdatedAt") : JsonTrees.text(t, "CreatedAt"));
    }
    if (at == null) {
      return state;
    }
    // Duration.between's exact difference, without its detour through ChronoUnit and Math.multiplyExact
    Duration ago = Duration.ofSeconds(now.getEpochSecond() - at.getEpochSecond(), now.getNano() - at.getNano());
    if (ago.isNegative()) {
      ago = Duration.ZERO;
    }
    return state + " " + HumanTime.duration(ago).toLowerCase(Locale.ROOT) + " ago" + health(t);
  }

  /** {@code " (healthy)"} etc. for a task with a health check, as {@code docker ps} shows it; else empty. */
  private static String health(JsonNode t) {
    String h = JsonTrees.text(t, "Status", "ContainerStatus", "Health");
    return h.isEmpty() ? "" : " (" + h + ")";
  }

  private static String error(JsonNode t, boolean trunc) {
    String err = JsonTrees.text(t, "Status", "Err");
    if (trunc && err.codePointCount(0, err.length()) > MAX_ERROR) {
      err = err.substring(0, err.offsetByCodePoints(0, MAX_ERROR - 1)) + "…";
    }
    return err.isEmpty() ? "" : "\"" + err + "\"";
  }

  private static String ports(JsonNode t) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : t.path("Status").path("PortStatus").path("Ports")) {
      String proto = JsonTrees.text(p, "Protocol");
      out.add("*:" + portNumber(p, "PublishedPort") + "->" + portNumber(p, "TargetPort") + "/"
          + (proto.isEmpty() ? "tcp" : proto));
    }
    return String.join(",", out);
  }

  /** A port as the list shows it ("null" when absent, as it always has). */
  private static String portNumber(JsonNode p, String field) {
    return JsonTrees.present(p, field) ? Long.toString(JsonTrees.number(p, field)) : "null";
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
