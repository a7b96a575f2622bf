package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import io.jswarm.api.listing.Ids;
import io.jswarm.api.listing.ImageNames;
import io.jswarm.api.listing.NaturalOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code service ls} rows and their table / JSON forms, with the docker CLI's columns and values. */
public final class ServiceListing {
  private ServiceListing() {}

  /** One line of {@code service ls}. */
  public record Row(String id, String name, String mode, String replicas, String image, String ports)
      implements ListingRow {
    @Override
    public Map<String, Object> json() {
      Map<String, Object> m = new TreeMap<>();
      m.put("ID", id);
      m.put("Image", image);
      m.put("Mode", mode);
      m.put("Name", name);
      m.put("Ports", ports);
      m.put("Replicas", replicas);
      return m;
    }
  }

  // named comparators, not lambdas: a client verb that links no lambda skips java.lang.invoke's start-up
  // (docs/footprint.md, "The CLI's start"); ClientPathTest checks it
  private static final Comparator<Row> BY_NAME = new Comparator<>() {
    @Override
    public int compare(Row a, Row b) {
      return NaturalOrder.INSTANCE.compare(a.name(), b.name());
    }
  };

  private static final Comparator<JsonNode> BY_PROTOCOL_AND_PORT = new Comparator<>() {
    @Override
    public int compare(JsonNode a, JsonNode b) {
      int byProtocol = proto(a).compareTo(proto(b));
      return byProtocol != 0 ? byProtocol
          : Long.compare(JsonTrees.number(a, "PublishedPort"), JsonTrees.number(b, "PublishedPort"));
    }
  };

  /**
   * Rows sorted by name (natural order) from {@code GET /services?status=true} (an array of services as JSON trees);
   * counts come from {@code ServiceStatus}.
   */
  public static List<Row> rows(JsonNode services) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode s : services) {
      JsonNode spec = s.path("Spec");
      rows.add(new Row(Ids.shortId(JsonTrees.text(s, "ID")), JsonTrees.text(spec, "Name"), mode(spec.path("Mode")),
          replicas(s), ImageNames.forDisplay(JsonTrees.text(spec, "TaskTemplate", "ContainerSpec", "Image")),
          ports(s.path("Endpoint").path("Ports"))));
    }
    rows.sort(BY_NAME);
    return rows;
  }

  /** A service's {@code Spec.Mode} as {@code service ls} shows it: replicated, global, replicated job, global job. */
  static String mode(JsonNode m) {
    if (JsonTrees.present(m, "Global")) {
      return "global";
    } else if (JsonTrees.present(m, "Replicated")) {
      return "replicated";
    } else if (JsonTrees.present(m, "ReplicatedJob")) {
      return "replicated job";
    } else if (JsonTrees.present(m, "GlobalJob")) {
      return "global job";
    }
    return "";
  }

  /**
   * {@code 2/3}, plus (a jswarm addition) the state of an update that is going on or stopped short:
   * {@code 2/3 (updating)}, {@code 3/3 (paused)}, {@code 3/3 (rollback_completed)}; a completed update adds nothing.
   */
  private static String replicas(JsonNode s) {
    String base = counts(s);
    String state = JsonTrees.text(s, "UpdateStatus", "State");
    return state.isEmpty() || state.equals("completed") ? base : base + " (" + state + ")";
  }

  private static String counts(JsonNode s) {
    JsonNode status = s.path("ServiceStatus");
    long running = JsonTrees.number(status, "RunningTasks");
    long desired = JsonTrees.number(status, "DesiredTasks");
    long completed = JsonTrees.number(status, "CompletedTasks");
    JsonNode m = s.path("Spec").path("Mode");
    if (JsonTrees.present(m, "ReplicatedJob")) {
      return running + "/" + desired + " (" + completed + "/" + JsonTrees.number(m, "ReplicatedJob", "TotalCompletions")
          + " completed)";
    }
    if (JsonTrees.present(m, "GlobalJob")) {
      return running + "/" + desired + " (" + completed + "/" + (desired + completed) + " completed)";
    }
    long max = JsonTrees.present(m, "Replicated")
        ? JsonTrees.number(s, "Spec", "TaskTemplate", "Placement", "MaxReplicas") : 0;
    if (max > 0) {
      return running + "/" + desired + " (max " + max + " per node)";
    }
    return running + "/" + desired;
  }

  /** Ingress-published ports, grouped into ranges as docker does: {@code *:8080-8081->80-81/tcp, *:53->53/udp}. */
  static String ports(JsonNode ports) {
    List<JsonNode> sorted = new ArrayList<>();
    for (JsonNode p : ports) {
      sorted.add(p);
    }
    sorted.sort(BY_PROTOCOL_AND_PORT);
    List<String> out = new ArrayList<>();
    long pStart = 0;
    long pEnd = 0;
    long tStart = 0;
    long tEnd = 0;
    String protocol = null;
    for (JsonNode p : sorted) {
      String publishMode = JsonTrees.text(p, "PublishMode");
      if (!publishMode.isEmpty() && !publishMode.equals("ingress")) {
        continue;
      }
      long pub = JsonTrees.number(p, "PublishedPort");
      long tgt = JsonTrees.number(p, "TargetPort");
      boolean isRange = tEnd != tStart;
      boolean overlaps = tgt <= tEnd;
      // docker compares unsigned: a port below the range's end counts as "not consecutive"
      if (!Objects.equals(proto(p), protocol) || pub - pEnd > 1 || pub < pEnd || tgt - tEnd > 1 || tgt < tEnd
          || isRange && overlaps) {
        if (pStart > 0) {
          out.add(range(pStart, pEnd, tStart, tEnd, protocol));
        }
        pStart = pub;
        pEnd = pub;
        tStart = tgt;
        tEnd = tgt;
        protocol = proto(p);
        continue;
      }
      pEnd = pub;
      tEnd = tgt;
    }
    if (pStart > 0) {
      out.add(range(pStart, pEnd, tStart, tEnd, protocol));
    }
    return String.join(", ", out);
  }

  private static String proto(JsonNode p) {
    String proto = JsonTrees.text(p, "Protocol");
    return proto.isEmpty() ? "tcp" : proto;
  }

  private static String range(long pStart, long pEnd, long tStart, long tEnd, String protocol) {
    String pub = pEnd > pStart ? pStart + "-" + pEnd : Long.toString(pStart);
    String tgt = tEnd > tStart ? tStart + "-" + tEnd : Long.toString(tStart);
    return "*:" + pub + "->" + tgt + "/" + protocol;
  }

  /** The default table: {@code ID NAME MODE REPLICAS IMAGE PORTS}. */
  public static String table(List<Row> rows) {
    TextTable t = new TextTable(List.of("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"));
    for (Row r : rows) {
      t.row(List.of(r.id(), r.name(), r.mode(), r.replicas(), r.image(), r.ports()));
    }
    return t.render();
  }
}
