package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.cli.Main;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.manager.controlapi.ControlApi;
import io.jswarm.manager.controlapi.SwarmLifecycle;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jswarm network ...} and {@code service create --network} through Main.run against the real control API. */
class NetworkCommandTest {
  private MemoryStore store;
  private HttpServer server;

  record Run(int code, String out, String err) {}

  /** A node that is the active manager of a swarm the test made in the store (init goes through the API). */
  private final class Lifecycle implements SwarmLifecycle {
    volatile String nodeId = "";

    @Override
    public String init(SwarmRequests.Init request) {
      Swarm s = new Swarm();
      s.spec = new Swarm.Spec();
      s.spec.name = Swarm.DEFAULT_NAME;
      s.defaultAddrPool = request.defaultAddrPool;
      s.subnetSize = request.subnetSize;
      store.update(tx -> tx.cluster().create(s));
      nodeId = "node1";
      return nodeId;
    }

    @Override
    public void join(SwarmRequests.Join request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void leave(boolean force) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String localNodeState() {
      return nodeId.isEmpty() ? "inactive" : "active";
    }

    @Override
    public String nodeId() {
      return nodeId;
    }

    @Override
    public String nodeAddr() {
      return "127.0.0.1:2377";
    }

    @Override
    public MemoryStore managerStore() {
      return store;
    }

    @Override
    public ClusterView clusterView() {
      return new ClusterView(nodeId, Map.of(), Set.of());
    }
  }

  @BeforeEach
  void start() throws Exception {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.fromRandom(new Random(3)));
    p.bind(store);
    Router router = new Router();
    new ControlApi(new Lifecycle(), Clock.systemUTC(), pem -> "t", "0.1.0").routes(router);
    server = HttpServer.start(router, List.of(new HttpServer.Tcp("127.0.0.1", 0)));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] full = new String[args.length + 2];
    full[0] = "-H";
    full[1] = "tcp://127.0.0.1:" + server.port(0);
    System.arraycopy(args, 0, full, 2, args.length);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), full);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void createListInspectAndRemoveNetworksAndAttachServices() throws Exception {
    Run init = run("swarm", "init", "--default-addr-pool", "10.20.0.0/16", "--default-addr-pool-mask-length", "26");
    // The test lifecycle has no node row, so the join hint fails; what matters is that the swarm exists.
    assertEquals("10.20.0.0/26", subnet(run("network", "inspect", "ingress").out), init.err);

    Run created = run("network", "create", "-d", "overlay", "--attachable", "--label", "team=a",
        "--opt", "com.docker.network.driver.overlay.vxlanid_list=4500", "backend");
    assertEquals(0, created.code(), created.err());
    String id = created.out().trim();
    Run fixed = run("network", "create", "--subnet", "10.99.0.0/24", "--gateway", "10.99.0.254", "front");
    assertEquals(0, fixed.code(), fixed.err());

    Run ls = run("network", "ls");
    String[] lines = ls.out().split("\n");
    assertEquals(4, lines.length, ls.out());
    assertTrue(lines[0].matches("NETWORK ID\\s+NAME\\s+DRIVER\\s+SCOPE"), lines[0]);
    assertTrue(lines[1].matches(id.substring(0, 12) + "\\s+backend\\s+overlay\\s+swarm"), lines[1]);
    assertTrue(lines[2].contains("front"), lines[2]);
    assertTrue(lines[3].contains("ingress"), lines[3]);
    assertEquals(id.substring(0, 12) + "\n", run("network", "ls", "-q", "--filter", "label=team=a").out());
    String json = run("network", "ls", "--format", "json", "--filter", "name=front").out();
    assertEquals("front", Json.mapper().readTree(json).path("Name").asText());

    String inspect = run("network", "inspect", "backend").out();
    assertEquals("10.20.0.64/26", subnet(inspect));
    assertEquals("4500", Json.mapper().readTree(inspect).get(0).path("Options")
        .path("com.docker.network.driver.overlay.vxlanid_list").asText());
    assertTrue(Json.mapper().readTree(inspect).get(0).path("Attachable").asBoolean());
    Run missing = run("network", "inspect", "nope");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("Error: No such network: nope"), missing.err());

    Run overlap = run("network", "create", "--subnet", "10.99.0.128/25", "x");
    assertEquals(1, overlap.code());
    assertTrue(overlap.err().contains("overlaps the subnet 10.99.0.0/24 of network \"front\""), overlap.err());

    Run svc = run("service", "create", "-d", "--name", "web", "--network", "backend",
        "--network", "name=front,alias=www", "busybox");
    assertEquals(0, svc.code(), svc.err());
    Service web = store.view(tx -> tx.services().byName("web"));
    assertEquals(id, web.spec.taskTemplate.networks.get(0).target);
    assertEquals(List.of("www"), web.spec.taskTemplate.networks.get(1).aliases);
    String pretty = run("service", "inspect", "--pretty", "web").out();
    assertTrue(pretty.contains("Networks: backend front"), pretty);
    assertTrue(run("service", "inspect", "web").out().contains("\"Target\": \"" + id + "\""));

    Run inUse = run("network", "rm", "backend");
    assertEquals(1, inUse.code());
    assertTrue(inUse.err().contains("network backend is in use by service(s) web"), inUse.err());
    Run taken = run("service", "update", "-d", "--network-rm", "backend", "web");
    assertEquals(0, taken.code(), taken.err());
    Run rm = run("network", "rm", "backend");
    assertEquals(0, rm.code(), rm.err());
    assertEquals("backend\n", rm.out());
    assertEquals(3, run("network", "ls").out().split("\n").length);
  }

  private static String subnet(String inspectOut) throws Exception {
    return Json.mapper().readTree(inspectOut).get(0).path("IPAM").path("Config").get(0).path("Subnet").asText();
  }
}
