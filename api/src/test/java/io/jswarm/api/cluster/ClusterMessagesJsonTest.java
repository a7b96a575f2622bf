package io.jswarm.api.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire names of the join messages, as the contract in docs/control-plane.md spells them. */
class ClusterMessagesJsonTest {
  /** Same JSON, field order aside. */
  private static void assertJson(String expected, String actual) throws Exception {
    assertEquals(Json.mapper().readTree(expected), Json.mapper().readTree(actual), actual);
  }

  @Test
  void joinRequestFieldNames() throws Exception {
    JoinRequest r = new JoinRequest();
    r.token = "t";
    r.csr = "c";
    r.hostname = "h";
    r.advertiseAddr = "a:2377";
    r.raftAddr = "a:2378";
    r.description = new Node.Description();
    r.description.hostname = "h";
    assertJson("{\"Token\":\"t\",\"CSR\":\"c\",\"Hostname\":\"h\",\"AdvertiseAddr\":\"a:2377\",\"RaftAddr\":\"a:2378\","
        + "\"Description\":{\"Hostname\":\"h\"}}", Json.toString(r));
  }

  @Test
  void joinResponseFieldNamesAndRoundTrip() throws Exception {
    JoinResponse r = new JoinResponse();
    r.nodeId = "n";
    r.role = "worker";
    r.certificate = "cert";
    r.caCertificate = "ca";
    r.clusterId = "c";
    r.managers = List.of(new JoinResponse.Manager("m1", "10.0.0.1:2377", "10.0.0.1:2378"));
    String json = Json.toString(r);
    assertJson("{\"NodeID\":\"n\",\"Role\":\"worker\",\"Certificate\":\"cert\",\"CACertificate\":\"ca\","
        + "\"ClusterID\":\"c\",\"Managers\":[{\"NodeID\":\"m1\",\"ClusterAddr\":\"10.0.0.1:2377\","
        + "\"RaftAddr\":\"10.0.0.1:2378\"}]}", json);
    JoinResponse back = Json.fromString(json, JoinResponse.class);
    assertEquals("10.0.0.1:2378", back.managers.get(0).raftAddr);
  }

  @Test
  void renewAndRaftJoinFieldNames() {
    RenewRequest req = new RenewRequest();
    req.csr = "c";
    assertEquals("{\"CSR\":\"c\"}", Json.toString(req));
    RenewResponse resp = new RenewResponse();
    resp.certificate = "x";
    assertEquals("{\"Certificate\":\"x\"}", Json.toString(resp));
    RaftJoinRequest rj = new RaftJoinRequest();
    rj.raftAddr = "a:1";
    assertEquals("{\"RaftAddr\":\"a:1\"}", Json.toString(rj));
  }
}
