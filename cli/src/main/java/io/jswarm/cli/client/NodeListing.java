package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import io.jswarm.api.listing.HumanTime;
import io.jswarm.api.listing.NaturalOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code node ls} rows and their table / JSON forms, with the docker CLI's columns and values. */
public final class NodeListing {
  private NodeListing() {}

  /** One line of {@code node ls}. */
  public record Row(String id, boolean self, String hostname, String status, String availability,
      String managerStatus, String engineVersion, String tlsStatus) implements ListingRow {

    /** The object {@code --format json} prints: docker's field names, sorted. */
    @Override
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

  // a named comparator, not a lambda (see ServiceListing)
  private static final Comparator<Row> BY_HOSTNAME = new Comparator<>() {
    @Override
    public int compare(Row a, Row b) {
      return NaturalOrder.INSTANCE.compare(a.hostname(), b.hostname());
    }
  };

  /**
   * Rows sorted by hostname (natural order), from {@code GET /nodes} as a JSON tree. {@code selfId} is the node the
   * CLI talks to (from {@code /info}); {@code clusterTls} the cluster's {@code TLSInfo} (from {@code /info}'s
   * {@code Swarm.Cluster}), to tell whether a node's certificate needs rotation.
   */
  public static List<Row> rows(JsonNode nodes, String selfId, JsonNode clusterTls) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode n : nodes) {
      String id = JsonTrees.text(n, "ID");
      JsonNode d = n.path("Description");
      String manager = "";
      if (JsonTrees.present(n, "ManagerStatus")) {
        manager = n.path("ManagerStatus").path("Leader").asBoolean(false) ? "Leader"
            : HumanTime.capitalize(JsonTrees.text(n, "ManagerStatus", "Reachability"));
      }
      rows.add(new Row(id, !id.isEmpty() && id.equals(selfId), JsonTrees.text(d, "Hostname"),
          HumanTime.capitalize(JsonTrees.text(n, "Status", "State")),
          HumanTime.capitalize(JsonTrees.text(n, "Spec", "Availability")),
          manager, JsonTrees.text(d, "Engine", "EngineVersion"), tlsStatus(d.path("TLSInfo"), clusterTls)));
    }
    rows.sort(BY_HOSTNAME);
    return rows;
  }

  private static String tlsStatus(JsonNode node, JsonNode cluster) {
    if (empty(node) || empty(cluster)) {
      return "Unknown";
    }
    boolean same = JsonTrees.text(node, "TrustRoot").equals(JsonTrees.text(cluster, "TrustRoot"))
        && JsonTrees.text(node, "CertIssuerSubject").equals(JsonTrees.text(cluster, "CertIssuerSubject"))
        && JsonTrees.text(node, "CertIssuerPublicKey").equals(JsonTrees.text(cluster, "CertIssuerPublicKey"));
    return same ? "Ready" : "Needs Rotation";
  }

  private static boolean empty(JsonNode t) {
    return t == null || (JsonTrees.text(t, "TrustRoot").isEmpty() && JsonTrees.text(t, "CertIssuerSubject").isEmpty()
        && JsonTrees.text(t, "CertIssuerPublicKey").isEmpty());
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
