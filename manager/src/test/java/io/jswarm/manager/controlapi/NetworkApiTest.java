package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Service;
import io.jswarm.consensus.store.MemoryStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /networks} and the network side of {@code /swarm/init} and {@code /services/create}. */
class NetworkApiTest {
  private ApiHarness api;
  private MemoryStore store;

  @BeforeEach
  void start() throws Exception {
    api = new ApiHarness(5);
    store = api.store;
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private ApiHarness.Resp call(String method, String path, String body) throws Exception {
    return api.call(method, path, body);
  }

  private void init() throws Exception {
    ApiHarness.Resp r = call("POST", "/v1.41/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"Spec\":{}}");
    assertEquals(200, r.status(), r.body());
  }

  private String createNetwork(String body) throws Exception {
    ApiHarness.Resp r = call("POST", "/v1.41/networks/create", body);
    assertEquals(201, r.status(), r.body());
    return r.json().path("Id").asText();
  }

  private static String filters(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  private static List<String> names(ApiHarness.Resp r) {
    List<String> out = new ArrayList<>();
    r.json().forEach(n -> out.add(n.path("Name").asText()));
    out.sort(null);
    return out;
  }

  @Test
  void initCreatesIngressAndNetworksGetSubnetGatewayAndVniFromThePool() throws Exception {
    init();
    JsonNode ingress = call("GET", "/networks/ingress", null).json();
    assertTrue(ingress.path("Ingress").asBoolean());
    assertEquals("10.0.0.0/24", ingress.path("IPAM").path("Config").get(0).path("Subnet").asText());
    assertEquals("4096", ingress.path("Options").path("com.docker.network.driver.overlay.vxlanid_list").asText());

    // What `docker network create -d overlay --attachable --label a=b app` sends.
    String id = createNetwork("{\"Name\":\"app\",\"CheckDuplicate\":true,\"Driver\":\"overlay\",\"Scope\":\"\","
        + "\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[]},\"Internal\":false,"
        + "\"Attachable\":true,\"Ingress\":false,\"ConfigOnly\":false,\"ConfigFrom\":null,\"Options\":{},"
        + "\"Labels\":{\"a\":\"b\"}}");
    JsonNode app = call("GET", "/networks/" + id.substring(0, 6), null).json();
    assertEquals("app", app.path("Name").asText());
    assertEquals(id, app.path("Id").asText());
    assertEquals("overlay", app.path("Driver").asText());
    assertEquals("swarm", app.path("Scope").asText());
    assertTrue(app.path("Attachable").asBoolean());
    assertEquals("b", app.path("Labels").path("a").asText());
    assertEquals("10.0.1.0/24", app.path("IPAM").path("Config").get(0).path("Subnet").asText());
    assertEquals("10.0.1.1", app.path("IPAM").path("Config").get(0).path("Gateway").asText());
    assertEquals("4097", app.path("Options").path("com.docker.network.driver.overlay.vxlanid_list").asText());

    createNetwork("{\"Name\":\"db\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\"192.168.50.0/24\","
        + "\"Gateway\":\"192.168.50.254\"}]},\"Options\":{\"com.docker.network.driver.overlay.vxlanid_list\":\"5000\"}}");
    JsonNode db = call("GET", "/networks/db", null).json();
    assertEquals("192.168.50.254", db.path("IPAM").path("Config").get(0).path("Gateway").asText());
    assertEquals("5000", db.path("Options").path("com.docker.network.driver.overlay.vxlanid_list").asText());

    assertEquals(List.of("app", "db", "ingress"), names(call("GET", "/networks", null)));
    assertEquals(List.of("app"), names(call("GET", "/networks?filters=" + filters("{\"label\":{\"a=b\":true}}"), null)));
    assertEquals(List.of("db"), names(call("GET", "/networks?filters=" + filters("{\"name\":{\"db\":true}}"), null)));
    assertEquals(List.of("app", "db", "ingress"),
        names(call("GET", "/networks?filters=" + filters("{\"driver\":{\"overlay\":true},\"scope\":{\"swarm\":true}}"),
            null)));
    assertEquals(List.of("app"), names(call("GET", "/networks?filters=" + filters("{\"id\":{\"" + id.substring(0, 5)
        + "\":true}}"), null)));
    assertEquals(400, call("GET", "/networks?filters=" + filters("{\"nope\":{\"x\":true}}"), null).status());
  }

  @Test
  void createRefusalsNameTheFieldOrTheOtherNetwork() throws Exception {
    init();
    createNetwork("{\"Name\":\"a\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.5.0.0/16\"}]},"
        + "\"Options\":{\"com.docker.network.driver.overlay.vxlanid_list\":\"7000\"}}");
    ApiHarness.Resp overlap = call("POST", "/networks/create", "{\"Name\":\"b\",\"Driver\":\"overlay\","
        + "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.5.3.0/24\"}]}}");
    assertEquals(409, overlap.status());
    assertTrue(overlap.message().contains("overlaps the subnet 10.5.0.0/16 of network \"a\""), overlap.message());
    ApiHarness.Resp vni = call("POST", "/networks/create", "{\"Name\":\"b\",\"Driver\":\"overlay\","
        + "\"Options\":{\"com.docker.network.driver.overlay.vxlanid_list\":\"7000\"}}");
    assertEquals(409, vni.status());
    assertTrue(vni.message().contains("VXLAN id 7000 is already used by network \"a\""), vni.message());
    ApiHarness.Resp dup = call("POST", "/networks/create", "{\"Name\":\"a\",\"Driver\":\"overlay\"}");
    assertEquals(409, dup.status());
    assertEquals("network with name a already exists", dup.message());
    ApiHarness.Resp bridge = call("POST", "/networks/create", "{\"Name\":\"c\",\"Driver\":\"bridge\"}");
    assertEquals(400, bridge.status());
    assertTrue(bridge.message().startsWith("Driver:"), bridge.message());
    ApiHarness.Resp name = call("POST", "/networks/create", "{\"Driver\":\"overlay\"}");
    assertTrue(name.message().startsWith("Name:"), name.message());
    ApiHarness.Resp gw = call("POST", "/networks/create", "{\"Name\":\"c\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.9.0.0/24\","
        + "\"Gateway\":\"10.8.0.1\"}]}}");
    assertEquals(400, gw.status());
    assertTrue(gw.message().startsWith("IPAM.Config.Gateway:"), gw.message());
    ApiHarness.Resp encrypted = call("POST", "/networks/create", "{\"Name\":\"c\",\"Options\":{\"encrypted\":\"\"}}");
    assertEquals(400, encrypted.status());
    assertTrue(encrypted.message().startsWith("Options[encrypted]:"), encrypted.message());
    ApiHarness.Resp ingress2 = call("POST", "/networks/create", "{\"Name\":\"mesh\",\"Ingress\":true}");
    assertEquals(409, ingress2.status());
    assertTrue(ingress2.message().contains("an ingress network already exists (ingress)"), ingress2.message());
    assertEquals(404, call("GET", "/networks/nothing", null).status());
  }

  @Test
  void servicesReferToNetworksByIdAndANetworkInUseCannotBeRemoved() throws Exception {
    init();
    String id = createNetwork("{\"Name\":\"backend\",\"Driver\":\"overlay\"}");
    ApiHarness.Resp unknown = call("POST", "/services/create", "{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"nowhere\"}]}}");
    assertEquals(404, unknown.status());
    assertEquals("network nowhere not found", unknown.message());
    ApiHarness.Resp explicitIngress = call("POST", "/services/create", "{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"ingress\"}]}}");
    assertEquals(400, explicitIngress.status());

    ApiHarness.Resp web = call("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"backend\",\"Aliases\":[\"w\"]}]},"
        + "\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080}]}}");
    assertEquals(201, web.status(), web.body());
    Service s = store.view(tx -> tx.services().byName("web"));
    assertEquals(id, s.spec.taskTemplate.networks.get(0).target, "names are stored as ids");
    assertEquals(List.of("w"), s.spec.taskTemplate.networks.get(0).aliases);

    ApiHarness.Resp inUse = call("DELETE", "/networks/backend", null);
    assertEquals(409, inUse.status());
    assertTrue(inUse.message().contains("network backend is in use by service(s) web"), inUse.message());
    ApiHarness.Resp ingressInUse = call("DELETE", "/networks/ingress", null);
    assertEquals(409, ingressInUse.status());
    assertTrue(ingressInUse.message().contains("service(s) web publish ports"), ingressInUse.message());

    assertEquals(200, call("DELETE", "/services/web", null).status());
    // A task of the removed service still running with an address on the network.
    String taskId = store.update(tx -> {
      io.jswarm.api.types.Task t = new io.jswarm.api.types.Task();
      t.name = "web.1";
      t.desiredState = io.jswarm.api.types.TaskState.SHUTDOWN;
      t.status = new io.jswarm.api.types.Task.TaskStatus();
      t.status.state = io.jswarm.api.types.TaskState.RUNNING;
      io.jswarm.api.types.NetworkAttachment a = new io.jswarm.api.types.NetworkAttachment();
      a.network = tx.networks().get(id);
      a.addresses = List.of("10.0.1.3/24");
      t.networksAttachments = List.of(a);
      return tx.tasks().create(t).id;
    });
    // The remove waits for the task to stop (docker stack rm removes networks right after services).
    java.util.concurrent.CompletableFuture<ApiHarness.Resp> removal = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return call("DELETE", "/networks/" + id, null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(600);
    assertTrue(!removal.isDone(), "answered while a task still holds an address: " + (removal.isDone()
        ? removal.join().body() : ""));
    assertEquals(id, store.view(tx -> tx.networks().get(id)).id);
    store.update(tx -> {
      io.jswarm.api.types.Task t = tx.tasks().get(taskId);
      t.status.state = io.jswarm.api.types.TaskState.SHUTDOWN;
      return tx.tasks().update(t);
    });
    assertEquals(204, removal.get(10, java.util.concurrent.TimeUnit.SECONDS).status());
    assertEquals(404, call("GET", "/networks/" + id, null).status());
    assertEquals(204, call("DELETE", "/networks/ingress", null).status());
    assertEquals("[]", call("GET", "/networks", null).body());
  }

  @Test
  void aPortTheAllocatorPickedCannotBePublishedAgain() throws Exception {
    init();
    ApiHarness.Resp dyn = call("POST", "/services/create", "{\"Name\":\"dyn\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80}]}}");
    assertEquals(201, dyn.status(), dyn.body());
    io.jswarm.manager.allocator.NetworkAllocatorLoop allocator =
        new io.jswarm.manager.allocator.NetworkAllocatorLoop(store, Clock.systemUTC());
    allocator.runOnce();
    allocator.stop();
    JsonNode endpoint = call("GET", "/services/dyn", null).json().path("Endpoint");
    assertEquals(30000, endpoint.path("Ports").get(0).path("PublishedPort").asInt());
    assertEquals("10.0.0.2/24", endpoint.path("VirtualIPs").get(0).path("Addr").asText());
    ApiHarness.Resp clash = call("POST", "/services/create", "{\"Name\":\"fixed\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":30000}]}}");
    assertEquals(400, clash.status());
    assertTrue(clash.message().contains("port '30000' is already in use by service 'dyn'"), clash.message());
  }

  @Test
  void initValidatesTheDefaultAddressPool() throws Exception {
    ApiHarness.Resp bad = call("POST", "/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"DefaultAddrPool\":[\"10.1.0.0/33\"]}");
    assertEquals(400, bad.status());
    assertTrue(bad.message().startsWith("DefaultAddrPool:"), bad.message());
    ApiHarness.Resp size = call("POST", "/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"DefaultAddrPool\":[\"10.1.0.0/16\"],"
        + "\"SubnetSize\":12}");
    assertEquals(400, size.status());
    assertTrue(size.message().startsWith("SubnetSize:"), size.message());
  }
}
