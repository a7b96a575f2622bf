package io.jswarm.cli.client;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
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
  public record Row(String id, String name, String mode, String replicas, String image, String ports) {
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

  /** Rows sorted by name (natural order); counts come from {@code ServiceStatus} ({@code GET /services?status=true}). */
  public static List<Row> rows(List<Service> services) {
    List<Row> rows = new ArrayList<>();
    for (Service s : services) {
      Service.ServiceSpec spec = s.spec == null ? new Service.ServiceSpec() : s.spec;
      String image = spec.taskTemplate == null || spec.taskTemplate.containerSpec == null
          || spec.taskTemplate.containerSpec.image == null ? "" : spec.taskTemplate.containerSpec.image;
      rows.add(new Row(shortId(s.id), spec.name == null ? "" : spec.name, mode(spec.mode), replicas(s),
          ImageNames.forDisplay(image), ports(s.endpoint == null ? null : s.endpoint.ports)));
    }
    rows.sort(Comparator.comparing(Row::name, NaturalOrder.INSTANCE));
    return rows;
  }

  /** The first 12 characters of an id, as docker shows ids in lists. */
  public static String shortId(String id) {
    return id == null ? "" : id.length() > 12 ? id.substring(0, 12) : id;
  }

  static String mode(ServiceMode m) {
    if (m == null) {
      return "";
    } else if (m.global != null) {
      return "global";
    } else if (m.replicated != null) {
      return "replicated";
    } else if (m.replicatedJob != null) {
      return "replicated job";
    } else if (m.globalJob != null) {
      return "global job";
    }
    return "";
  }

  /**
   * {@code 2/3}, plus (a jswarm addition) the state of an update that is going on or stopped short:
   * {@code 2/3 (updating)}, {@code 3/3 (paused)}, {@code 3/3 (rollback_completed)}; a completed update adds nothing.
   */
  private static String replicas(Service s) {
    String base = counts(s);
    String state = s.updateStatus == null ? null : s.updateStatus.state;
    return state == null || state.isEmpty() || state.equals("completed") ? base : base + " (" + state + ")";
  }

  private static String counts(Service s) {
    long running = 0;
    long desired = 0;
    long completed = 0;
    if (s.serviceStatus != null) {
      running = orZero(s.serviceStatus.runningTasks);
      desired = orZero(s.serviceStatus.desiredTasks);
      completed = orZero(s.serviceStatus.completedTasks);
    }
    ServiceMode m = s.spec == null ? null : s.spec.mode;
    if (m != null && m.replicatedJob != null) {
      return running + "/" + desired + " (" + completed + "/" + orZero(m.replicatedJob.totalCompletions) + " completed)";
    }
    if (m != null && m.globalJob != null) {
      return running + "/" + desired + " (" + completed + "/" + (desired + completed) + " completed)";
    }
    long max = m != null && m.replicated != null && s.spec.taskTemplate != null && s.spec.taskTemplate.placement != null
        ? orZero(s.spec.taskTemplate.placement.maxReplicas) : 0;
    if (max > 0) {
      return running + "/" + desired + " (max " + max + " per node)";
    }
    return running + "/" + desired;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  /** Ingress-published ports, grouped into ranges as docker does: {@code *:8080-8081->80-81/tcp, *:53->53/udp}. */
  static String ports(List<PortConfig> ports) {
    if (ports == null) {
      return "";
    }
    List<PortConfig> sorted = new ArrayList<>(ports);
    sorted.sort(Comparator.comparing((PortConfig p) -> proto(p)).thenComparing(p -> orZero(p.publishedPort)));
    List<String> out = new ArrayList<>();
    long pStart = 0;
    long pEnd = 0;
    long tStart = 0;
    long tEnd = 0;
    String protocol = null;
    for (PortConfig p : sorted) {
      if (!"ingress".equals(p.publishMode == null ? "ingress" : p.publishMode)) {
        continue;
      }
      long pub = orZero(p.publishedPort);
      long tgt = orZero(p.targetPort);
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

  private static String proto(PortConfig p) {
    return p.protocol == null ? "tcp" : p.protocol;
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
