package io.jswarm.cli.client;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.TLSInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code node ls} rows and their table / JSON forms, with the docker CLI's columns and values. */
public final class NodeListing {
  private NodeListing() {}

  /** One line of {@code node ls}. */
  public record Row(String id, boolean self, String hostname, String status, String availability,
      String managerStatus, String engineVersion, String tlsStatus) {

    /** The object {@code --format json} prints: docker's field names, sorted. */
    public Map<String, Object> json() {
      Map<String, Object> m = new TreeMap<>();
      m.put("Availability", availability);
      m.put("EngineVersion", engineVersion);
      m.put("Hostname", hostname);
      m.put("ID", id);
      m.put("ManagerStatus", managerStatus);
      m.put("Self", self);
      m.put("Status", status);
      m.put("TLSStatus", tlsStatus);
      return m;
    }
  }

  /**
   * Rows sorted by hostname (natural order). {@code selfId} is the node the CLI talks to (from {@code /info});
   * {@code clusterTls} the cluster's TLS info, to tell whether a node's certificate needs rotation.
   */
  public static List<Row> rows(List<Node> nodes, String selfId, TLSInfo clusterTls) {
    List<Row> rows = new ArrayList<>();
    for (Node n : nodes) {
      Node.Description d = n.description;
      String manager = "";
      if (n.managerStatus != null) {
        manager = Boolean.TRUE.equals(n.managerStatus.leader) ? "Leader"
            : HumanTime.capitalize(n.managerStatus.reachability);
      }
      rows.add(new Row(n.id, n.id != null && n.id.equals(selfId),
          d == null || d.hostname == null ? "" : d.hostname,
          HumanTime.capitalize(n.status == null ? "" : n.status.state),
          HumanTime.capitalize(n.spec == null ? "" : n.spec.availability),
          manager,
          d == null || d.engine == null || d.engine.engineVersion == null ? "" : d.engine.engineVersion,
          tlsStatus(d == null ? null : d.tlsInfo, clusterTls)));
    }
    rows.sort(Comparator.comparing(Row::hostname, NaturalOrder.INSTANCE));
    return rows;
  }

  private static String tlsStatus(TLSInfo node, TLSInfo cluster) {
    if (empty(node) || empty(cluster)) {
      return "Unknown";
    }
    boolean same = Objects.equals(node.trustRoot, cluster.trustRoot)
        && Objects.equals(node.certIssuerSubject, cluster.certIssuerSubject)
        && Objects.equals(node.certIssuerPublicKey, cluster.certIssuerPublicKey);
    return same ? "Ready" : "Needs Rotation";
  }

  private static boolean empty(TLSInfo t) {
    return t == null || (blank(t.trustRoot) && blank(t.certIssuerSubject) && blank(t.certIssuerPublicKey));
  }

  private static boolean blank(String s) {
    return s == null || s.isEmpty();
  }

  /** The default table: {@code ID HOSTNAME STATUS AVAILABILITY MANAGER STATUS ENGINE VERSION}, {@code *} marks self. */
  public static String table(List<Row> rows) {
    TextTable t = new TextTable(List.of("ID   ", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION"));
    for (Row r : rows) {
      t.row(List.of(r.id() + " " + (r.self() ? "*" : " "), r.hostname(), r.status(), r.availability(),
          r.managerStatus(), r.engineVersion()));
    }
    return t.render();
  }
}
