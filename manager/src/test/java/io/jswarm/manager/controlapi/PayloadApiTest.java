package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.consensus.store.MemoryStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /secrets} and {@code /configs}: shapes, filters, bad input (a 4xx naming the field, nothing stored). */
class PayloadApiTest {
  private static final String MARKER = "s3cr3t-marker-" + Long.toHexString(new Random().nextLong());
  private static final String MARKER_B64 = Base64.getEncoder().encodeToString(MARKER.getBytes(StandardCharsets.UTF_8));

  private ApiHarness api;
  private MemoryStore store;

  @BeforeEach
  void start() throws Exception {
    api = new ApiHarness(11);
    store = api.store;
    ApiHarness.Resp r = call("POST", "/v1.41/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"Spec\":{}}");
    assertEquals(200, r.status(), r.body());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private ApiHarness.Resp call(String method, String path, String body) throws Exception {
    return api.call(method, path, body);
  }

  private static String filters(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  private static List<String> names(ApiHarness.Resp r) {
    List<String> out = new ArrayList<>();
    r.json().forEach(n -> out.add(n.path("Spec").path("Name").asText()));
    out.sort(null);
    return out;
  }

  private String create(String kind, String name, String data, String labels) throws Exception {
    ApiHarness.Resp r = call("POST", "/v1.41/" + kind + "/create", "{\"Name\":\"" + name + "\",\"Labels\":" + labels
        + ",\"Data\":\"" + data + "\"}");
    assertEquals(201, r.status(), r.body());
    String id = r.json().path("ID").asText();
    assertEquals(25, id.length(), r.body());
    return id;
  }

  private String service(String name, String refs) {
    return "{\"Name\":\"" + name + "\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"," + refs + "}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":1}}}";
  }

  @Test
  void aSecretsDataIsNeverReturnedAndAConfigsIs() throws Exception {
    String sid = create("secrets", "db_password", MARKER_B64, "{\"tier\":\"db\"}");
    String cid = create("configs", "nginx.conf", MARKER_B64, "{}");
    for (String path : List.of("/secrets", "/v1.41/secrets/" + sid, "/secrets/db_password", "/secrets/" + sid.substring(0, 5))) {
      ApiHarness.Resp r = call("GET", path, null);
      assertEquals(200, r.status(), path + ": " + r.body());
      assertFalse(r.body().contains(MARKER_B64) || r.body().contains(MARKER), path + " shows the data: " + r.body());
      assertTrue(r.body().contains("db_password") && r.body().contains(sid), r.body());
    }
    JsonNode s = call("GET", "/secrets/" + sid, null).json();
    assertEquals("db", s.path("Spec").path("Labels").path("tier").asText());
    assertTrue(s.path("Version").path("Index").asLong() > 0);
    assertFalse(s.path("CreatedAt").asText().isEmpty());
    assertTrue(s.path("Spec").path("Data").isMissingNode(), s.toString());
    JsonNode c = call("GET", "/configs/" + cid, null).json();
    assertEquals(MARKER_B64, c.path("Spec").path("Data").asText());
    assertEquals(MARKER_B64, call("GET", "/configs", null).json().get(0).path("Spec").path("Data").asText());
  }

  @Test
  void listFiltersAsDocker() throws Exception {
    String a = create("secrets", "app_key", "eA==", "{\"com.docker.stack.namespace\":\"app\"}");
    create("secrets", "app_key2", "eA==", "{\"com.docker.stack.namespace\":\"other\"}");
    create("secrets", "db", "eA==", "{}");
    assertEquals(List.of("app_key", "app_key2", "db"), names(call("GET", "/secrets", null)));
    assertEquals(List.of("app_key", "app_key2"), names(call("GET", "/secrets?filters="
        + filters("{\"name\":{\"app\":true}}"), null)));
    assertEquals(List.of("app_key"), names(call("GET", "/secrets?filters="
        + filters("{\"names\":{\"app_key\":true}}"), null)));
    assertEquals(List.of("app_key"), names(call("GET", "/secrets?filters="
        + filters("{\"label\":{\"com.docker.stack.namespace=app\":true}}"), null)));
    assertEquals(List.of("app_key", "app_key2"), names(call("GET", "/secrets?filters="
        + filters("{\"label\":[\"com.docker.stack.namespace\"]}"), null)));
    assertEquals(List.of("app_key"), names(call("GET", "/secrets?filters="
        + filters("{\"id\":{\"" + a.substring(0, 8) + "\":true}}"), null)));
    ApiHarness.Resp bad = call("GET", "/secrets?filters=" + filters("{\"driver\":{\"x\":true}}"), null);
    assertEquals(400, bad.status());
    assertEquals("invalid filter 'driver'; allowed: id, label, name, names", bad.message());
    create("configs", "site", "eA==", "{\"k\":\"v\"}");
    assertEquals(List.of("site"), names(call("GET", "/configs?filters=" + filters("{\"label\":{\"k=v\":true}}"), null)));
    assertEquals(List.of(), names(call("GET", "/configs?filters=" + filters("{\"names\":{\"sit\":true}}"), null)));
  }

  @Test
  void badInputIsA4xxNamingTheFieldAndNothingIsStored() throws Exception {
    String big = Base64.getEncoder().encodeToString(new byte[500 * 1024]);
    record Bad(String body, int status, String says) {}
    for (Bad b : List.of(
        new Bad("{\"Name\":\"big\",\"Data\":\"" + big + "\"}", 400, "Spec.Data: decodes to 512000 bytes"),
        new Bad("{\"Name\":\"-bad\",\"Data\":\"eA==\"}", 400, "Spec.Name: \"-bad\" is not a valid"),
        new Bad("{\"Name\":\"a/b\",\"Data\":\"eA==\"}", 400, "Spec.Name"),
        new Bad("{\"Name\":\"" + "n".repeat(65) + "\",\"Data\":\"eA==\"}", 400, "1 to 64"),
        new Bad("{\"Name\":\"nodata\"}", 400, "Spec.Data: must be set"),
        new Bad("{\"Name\":\"notb64\",\"Data\":\"%%%\"}", 400, "Spec.Data: data is not valid base64"),
        new Bad("{\"Name\":\"drv\",\"Data\":\"eA==\",\"Driver\":{\"Name\":\"vault\"}}", 400, "Spec.Driver"),
        new Bad("{\"Name\":\"x\",\"Data\":\"" + MARKER_B64 + "\" garbage", 400, "request body: not a JSON secret spec"),
        new Bad("null", 400, "request body"),
        new Bad("", 400, "request body"))) {
      ApiHarness.Resp r = call("POST", "/secrets/create", b.body());
      assertEquals(b.status(), r.status(), b.body() + " -> " + r.body());
      assertTrue(r.message().contains(b.says()), r.message());
      assertFalse(r.body().contains(MARKER_B64), "the answer echoes the data: " + r.body());
    }
    assertEquals("[]", call("GET", "/secrets", null).body());

    create("secrets", "dup", "eA==", "{}");
    ApiHarness.Resp dup = call("POST", "/secrets/create", "{\"Name\":\"dup\",\"Data\":\"eQ==\"}");
    assertEquals(409, dup.status(), dup.body());
    assertTrue(dup.message().contains("secret dup already exists"), dup.message());
    create("configs", "dup", "eA==", "{}"); // secrets and configs have separate names, as in Docker
    ApiHarness.Resp cdup = call("POST", "/configs/create", "{\"Name\":\"dup\",\"Data\":\"eQ==\"}");
    assertEquals(409, cdup.status(), cdup.body());
    assertEquals(404, call("GET", "/secrets/nosuch", null).status());
    assertEquals(404, call("DELETE", "/configs/nosuch", null).status());
  }

  @Test
  void updateChangesLabelsOnlyAndRemoveIsRefusedWhileAServiceUsesIt() throws Exception {
    String sid = create("secrets", "tls_key", "eA==", "{\"a\":\"1\"}");
    String cid = create("configs", "site.conf", "eA==", "{}");
    long v = call("GET", "/secrets/" + sid, null).json().path("Version").path("Index").asLong();
    ApiHarness.Resp noVersion = call("POST", "/secrets/" + sid + "/update", "{\"Name\":\"tls_key\",\"Labels\":{}}");
    assertEquals(400, noVersion.status());
    ApiHarness.Resp data = call("POST", "/secrets/" + sid + "/update?version=" + v,
        "{\"Name\":\"tls_key\",\"Labels\":{},\"Data\":\"eQ==\"}");
    assertEquals(400, data.status(), data.body());
    assertTrue(data.message().startsWith("Spec.Data: the data of a secret cannot be changed"), data.message());
    ApiHarness.Resp rename = call("POST", "/secrets/" + sid + "/update?version=" + v, "{\"Name\":\"other\"}");
    assertEquals(400, rename.status());
    assertTrue(rename.message().startsWith("Spec.Name"), rename.message());
    ApiHarness.Resp ok = call("POST", "/secrets/" + sid + "/update?version=" + v, "{\"Name\":\"tls_key\",\"Labels\":{\"b\":\"2\"}}");
    assertEquals(200, ok.status(), ok.body());
    JsonNode after = call("GET", "/secrets/" + sid, null).json();
    assertEquals("2", after.path("Spec").path("Labels").path("b").asText());
    assertTrue(after.path("Spec").path("Labels").path("a").isMissingNode());
    ApiHarness.Resp stale = call("POST", "/secrets/" + sid + "/update?version=" + v, "{\"Name\":\"tls_key\"}");
    assertEquals(409, stale.status(), stale.body());
    // A config's update may repeat its data as inspect returned it.
    long cv = call("GET", "/configs/" + cid, null).json().path("Version").path("Index").asLong();
    assertEquals(200, call("POST", "/configs/" + cid + "/update?version=" + cv,
        "{\"Name\":\"site.conf\",\"Labels\":{\"x\":\"y\"},\"Data\":\"eA==\"}").status());

    ApiHarness.Resp unknown = call("POST", "/services/create", service("web", "\"Secrets\":[{\"SecretID\":\"nosuchid\","
        + "\"SecretName\":\"nosuch\",\"File\":{\"Name\":\"k\",\"UID\":\"0\",\"GID\":\"0\",\"Mode\":292}}]"));
    assertEquals(400, unknown.status(), unknown.body());
    assertTrue(unknown.message().contains("secret not found: nosuch"), unknown.message());
    ApiHarness.Resp badMode = call("POST", "/services/create", service("web", "\"Secrets\":[{\"SecretID\":\"" + sid
        + "\",\"SecretName\":\"tls_key\",\"File\":{\"Name\":\"k\",\"UID\":\"0\",\"GID\":\"0\",\"Mode\":4095}}]"));
    assertEquals(400, badMode.status(), badMode.body());
    assertTrue(badMode.message().contains("Secrets[0].File.Mode"), badMode.message());
    assertEquals("[]", call("GET", "/services", null).body());
    for (String name : List.of("web", "api")) {
      ApiHarness.Resp svc = call("POST", "/services/create", service(name, "\"Secrets\":[{\"SecretID\":\"" + sid
          + "\",\"SecretName\":\"tls_key\",\"File\":{\"Name\":\"k\",\"UID\":\"0\",\"GID\":\"0\",\"Mode\":292}}],"
          + "\"Configs\":[{\"ConfigID\":\"" + cid + "\",\"ConfigName\":\"site.conf\",\"File\":{\"Name\":\"/etc/site.conf\","
          + "\"UID\":\"0\",\"GID\":\"0\",\"Mode\":292}}]"));
      assertEquals(201, svc.status(), svc.body());
    }
    ApiHarness.Resp used = call("DELETE", "/secrets/tls_key", null);
    assertEquals(409, used.status(), used.body());
    assertTrue(used.message().contains("secret 'tls_key' is in use by the following services: api, web")
        || used.message().contains("services: web, api"), used.message());
    ApiHarness.Resp usedConfig = call("DELETE", "/configs/" + cid, null);
    assertEquals(409, usedConfig.status());
    assertTrue(usedConfig.message().contains("site.conf"), usedConfig.message());
    assertEquals(200, call("DELETE", "/services/web", null).status());
    assertEquals(200, call("DELETE", "/services/api", null).status());
    assertEquals(204, call("DELETE", "/secrets/tls_key", null).status());
    assertEquals(204, call("DELETE", "/configs/site.conf", null).status());
    assertEquals("[]", call("GET", "/secrets", null).body());
  }
}
