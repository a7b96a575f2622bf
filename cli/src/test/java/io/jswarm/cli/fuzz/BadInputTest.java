package io.jswarm.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bad inputs issue 14 found answering 500, and the replica limit: each a 400 that names the field. */
class BadInputTest {
  private static FuzzTarget daemon;
  private static ApiFuzz http;

  @BeforeAll
  static void start() throws Exception {
    daemon = FuzzTarget.start();
    http = daemon.fuzzer(0);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static ApiFuzz.Answer call(String method, String target, String body) {
    return http.send(new ApiFuzz.Request(method, target, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        body == null ? null : "application/json"), Duration.ofSeconds(10), 4096);
  }

  private static void refused(int status, String mustName, ApiFuzz.Answer a) {
    assertEquals(status, a.status(), a.toString());
    assertTrue(a.body().contains(mustName), "the message should name " + mustName + ": " + a.body());
  }

  @Test
  void aNullBodyIsA400NamingTheBody() {
    for (String route : new String[] {"/services/create", "/networks/create", "/volumes/create", "/swarm/update?version=1"}) {
      refused(400, "request body: expected a JSON object", call("POST", "/v1.41" + route, "null"));
    }
  }

  @Test
  void aWrongTypeIsA400NamingTheField() {
    refused(400, "Mode.Replicated.Replicas: expected an integer (64-bit), got \\\"many\\\"",
        call("POST", "/v1.41/services/create", "{\"Name\":\"x\",\"Mode\":{\"Replicated\":{\"Replicas\":\"many\"}},"
            + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}"));
    refused(400, "IPAM.Config[0]: null is not allowed",
        call("POST", "/v1.41/networks/create", "{\"Name\":\"n\",\"IPAM\":{\"Config\":[null]}}"));
  }

  @Test
  void filtersThatAreNotAnObjectAreA400() {
    refused(400, "invalid filters null", call("GET", "/v1.41/images/json?filters=null", null));
    refused(400, "invalid filters", call("GET", "/v1.41/volumes?filters=%5B1%5D", null));
  }

  @Test
  void anApiVersionPastEveryIntegerIsA400() {
    refused(400, "client version 99999999999.41 is too new", call("GET", "/v99999999999.41/info", null));
  }

  @Test
  void aMalformedQueryStringIsA400() {
    refused(400, "malformed query string", call("GET", "/v1.41/services?filters=%zz", null));
  }

  @Test
  void replicasAboveTheClusterMaximumAreA400AndNothingIsCreated() {
    String spec = "{\"Name\":\"huge\",\"Mode\":{\"Replicated\":{\"Replicas\":99999999999}},"
        + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}";
    refused(400, "Mode.Replicated.Replicas: 99999999999 is above this cluster's maximum of "
        + FuzzTarget.MAX_REPLICAS, call("POST", "/v1.41/services/create", spec));
    assertEquals(404, call("GET", "/v1.41/services/huge", null).status());
  }
}
