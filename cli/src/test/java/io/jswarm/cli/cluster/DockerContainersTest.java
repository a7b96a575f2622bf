package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A task's container seen through the real docker client on its node: {@code docker ps}, {@code inspect},
 * {@code logs}, {@code top}, {@code stats --no-stream}, {@code exec} with and without a terminal, {@code kill}, and
 * exec in a stopped container refused. One test body, one small class per OCI runtime.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DockerContainersTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  static final String IMAGE = ContainerClusterTest.IMAGE;

  private static ProcessCluster cluster;
  private static String bridge;
  private static String cgroupParent;
  private static Daemon node;
  private static DockerCli docker;
  /** The running web task's container: id and Docker name. */
  private static String id;
  private static String name;

  static void startNode(String runtime) throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 6);
    bridge = "jswdk" + tag;
    cgroupParent = "jswarm-dktest-" + tag;
    int third = 150 + Math.floorMod(tag.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--runtime", runtime,
        "--cgroup-parent", cgroupParent, "--bridge-name", bridge, "--bridge-subnet", "172.31." + third + ".0/24");
    // its own VXLAN port: other daemons on this host may hold VXLAN id 4096 on the default port 4789
    node = cluster.init("d1", "\"DataPathPort\":" + (42000 + Math.floorMod(tag.hashCode(), 8000)));
    ContainerClusterTest.importBusybox(cluster, node);
    docker = new DockerCli("tcp://127.0.0.1:" + node.apiPort);
    node.call("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
        + IMAGE + "\",\"Labels\":{\"tier\":\"front\"},\"Args\":[\"sh\",\"-c\",\"echo hello-from-web; "
        + "echo oops >&2; exec sleep 600\"]},"
        + "\"RestartPolicy\":{\"Delay\":500000000}}}").expect(201); // the killed task replaced in 0.5 s, not 5
    await(CONVERGE, "the web task running", () -> (id = runningTask()) != null);
  }

  /** The running task of the web service. */
  private static String runningTask() {
    try {
      String web = serviceId("web");
      for (JsonNode t : node.get("/tasks")) {
        if (t.path("Status").path("State").asText().equals("running") && t.path("ServiceID").asText().equals(web)) {
          return t.path("ID").asText();
        }
      }
      return null;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    ContainerClusterTest.leaveAndRemoveLeftovers(cluster, node, bridge, cgroupParent);
  }

  @Test
  @Order(1)
  void psListsTheTaskContainerWithSwarmNamesAndLabels() throws Exception {
    name = "web.1." + id;
    DockerCli.Run r = docker.run("ps", "--no-trunc", "--format",
        "{{.ID}} {{.Names}} {{.Label \"com.docker.swarm.service.name\"}} {{.Label \"tier\"}} {{.State}}").ok();
    assertEquals(id + " " + name + " web front running\n", r.out());
    r = docker.run("ps", "-q", "--no-trunc", "--filter", "label=com.docker.swarm.task.id=" + id).ok();
    assertEquals(id + "\n", r.out());
    r = docker.run("ps", "-q", "--filter", "name=nothere").ok();
    assertEquals("", r.out());
    r = docker.run("ps", "--filter", "status=bogus");
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("status=bogus"), r.err());
  }

  @Test
  @Order(2)
  void inspectFindsItByNameIdOrPrefix() throws Exception {
    DockerCli.Run r = docker.run("inspect", "--format", "{{.State.Status}} {{.Name}} {{.Config.Tty}} "
        + "{{index .Config.Labels \"com.docker.swarm.node.id\"}}", name).ok();
    String nodeId = node.get("/info").path("Swarm").path("NodeID").asText();
    assertEquals("running /" + name + " false " + nodeId + "\n", r.out());
    r = docker.run("container", "inspect", "--format", "{{.Id}} {{.State.Pid}}", id.substring(0, 6)).ok();
    assertTrue(r.out().startsWith(id + " ") && !r.out().trim().endsWith(" 0"), r.out());
    r = docker.run("container", "inspect", "nosuchcontainer");
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("No such container: nosuchcontainer"), r.err());
  }

  @Test
  @Order(3)
  void logsTopAndStats() throws Exception {
    await(CONVERGE, "the container's output", () -> {
      try {
        return docker.run("logs", name).out().contains("hello-from-web");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    DockerCli.Run r = docker.run("logs", name).ok();
    assertEquals("hello-from-web\n", r.out());
    assertEquals("oops\n", r.err());
    r = docker.run("top", name).ok();
    assertTrue(r.out().startsWith("UID") && r.out().contains("sleep 600"), r.out());
    r = docker.run("top", name, "-o", "pid,comm").ok();
    assertTrue(r.out().contains("sleep"), r.out());
    r = docker.run("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}} {{.CPUPerc}}", name).ok();
    // no memory limit: the machine's memory, as dockerd shows it (not the cgroup's "no limit", about 8 EiB)
    assertTrue(r.out().matches(name + " [0-9.]+[KMG]?i?B / [0-9.]+[KMGT]?i?B 1 [0-9.]+%\n"), r.out());
    // the one image is in use by the running container: 1 image, 1 active, and the container counted
    r = docker.run("system", "df").ok();
    assertTrue(java.util.regex.Pattern.compile("(?m)^Images\\s+1\\s+1\\s").matcher(r.out()).find(), r.out());
    assertTrue(java.util.regex.Pattern.compile("(?m)^Containers\\s+1\\s+1\\s").matcher(r.out()).find(), r.out());
  }

  @Test
  @Order(4)
  void execPrintsOutputTakesInputAndReturnsTheExitCode() throws Exception {
    DockerCli.Run r = docker.run("exec", name, "cat", "/etc/hostname").ok();
    assertEquals(id.substring(0, 12) + "\n", r.out());
    r = docker.run("exec", "-e", "GREETING=hi", "-w", "/tmp", name, "sh", "-c",
        "echo $GREETING in $(pwd); echo err >&2; exit 3");
    assertEquals(3, r.rc(), r.err());
    assertEquals("hi in /tmp\n", r.out());
    assertEquals("err\n", r.err());
    r = docker.runWithInput("piped through\n", "exec", "-i", name, "cat").ok();
    assertEquals("piped through\n", r.out());
    r = docker.run("exec", name, "/nonexistent");
    assertNotEquals(0, r.rc());
    // the client half-closes its side at once (no -i), then reads megabytes: every byte arrives
    r = docker.run("exec", name, "sh", "-c", "busybox head -c 5000000 /dev/zero").ok();
    assertEquals(5000000, r.out().length(), "bytes of output received");
  }

  @Test
  @Order(5)
  void execWithATerminalGivesAWorkingShell() throws Exception {
    DockerCli.Run r = docker.onTerminal("tty\necho $((6*7))\nexit 5\n", "exec", "-it", name, "sh");
    assertEquals(5, r.rc(), r.out() + r.err());
    assertTrue(r.out().contains("/dev/pts/") && r.out().contains("42"), r.out());
    r = docker.run("exec", "-t", name, "tty").ok();
    assertTrue(r.out().startsWith("/dev/pts/"), r.out());
  }

  /** Exec is root in a container: the cluster port (2377) does not serve it, whatever certificate is shown. */
  @Test
  @Order(6)
  void theClusterPortDoesNotServeContainersOrExec() throws Exception {
    java.net.http.HttpClient asNode = java.net.http.HttpClient.newBuilder()
        .sslContext(io.jswarm.transport.pki.TlsContexts.client(node.credentials())).build();
    for (String path : java.util.List.of("/containers/" + id + "/exec", "/exec/x/start")) {
      java.net.http.HttpResponse<String> res = asNode.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("https://" + node.clusterAddr() + path)).header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"Cmd\":[\"id\"],\"AttachStdout\":true}"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(404, res.statusCode(), path + ": " + res.body());
    }
  }

  /**
   * {@code docker network inspect} lists the containers this node has on the network, as dockerd does: keyed by
   * container id, with the task's name, an endpoint id, the MAC address the container really has and its address.
   */
  @Test
  @Order(7)
  void networkInspectListsTheContainersOnTheNetwork() throws Exception {
    docker.run("network", "create", "-d", "overlay", "dknet").ok();
    docker.run("service", "create", "-d", "--name", "onnet", "--network", "dknet", IMAGE, "sleep", "600").ok();
    String[] task = new String[1];
    await(CONVERGE, "the onnet task running", () -> {
      try {
        for (JsonNode t : node.get("/tasks")) {
          if (t.path("Status").path("State").asText().equals("running")
              && t.path("ServiceID").asText().equals(serviceId("onnet"))) {
            task[0] = t.path("ID").asText();
            return true;
          }
        }
        return false;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String address = null;
    for (JsonNode a : node.get("/tasks/" + task[0]).path("NetworksAttachments")) {
      if (a.path("Network").path("Spec").path("Name").asText().equals("dknet")) {
        address = a.path("Addresses").path(0).asText();
      }
    }
    assertTrue(address != null && address.matches("[0-9.]+/[0-9]+"), "the task's address on dknet: " + address);
    JsonNode containers = io.jswarm.api.json.Json.mapper().readTree(docker.run("network", "inspect", "dknet",
        "--format", "{{json .Containers}}").ok().out());
    assertEquals(1, containers.size(), containers.toString());
    JsonNode e = containers.path(task[0]);
    assertEquals("onnet.1." + task[0], e.path("Name").asText(), containers.toString());
    assertTrue(e.path("EndpointID").asText().matches("[0-9a-f]{64}"), containers.toString());
    assertEquals(address, e.path("IPv4Address").asText());
    String mac = docker.run("exec", "onnet.1." + task[0], "cat", "/sys/class/net/eth1/address").ok().out().trim();
    assertEquals(mac, e.path("MacAddress").asText());
    DockerCli.Run ls = docker.run("network", "ls", "--filter", "name=dknet", "--format", "{{.Name}}").ok();
    assertEquals("dknet\n", ls.out());
    // a network without containers on this node lists none
    docker.run("network", "create", "-d", "overlay", "dkempty").ok();
    assertEquals("{}\n", docker.run("network", "inspect", "dkempty", "--format", "{{json .Containers}}").ok().out());
    docker.run("service", "rm", "onnet").ok();
    docker.run("network", "rm", "dkempty").ok();
  }

  private static String serviceId(String name) throws java.io.IOException {
    return node.get("/services/" + name).path("ID").asText();
  }

  @Test
  @Order(9)
  void killEndsTheContainerAndTheTaskIsReplaced() throws Exception {
    docker.run("kill", name).ok();
    await(CONVERGE, "a new web task running", () -> {
      String now = runningTask();
      return now != null && !now.equals(id);
    });
    DockerCli.Run r = docker.run("kill", "--signal", "NOPE", "web.1." + runningTask());
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("signal: \"NOPE\""), r.err());
    await(CONVERGE, "the killed container listed as exited", () -> {
      try {
        return docker.run("ps", "-a", "-q", "--no-trunc", "--filter", "status=exited").out().contains(id);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    r = docker.run("exec", name, "true");
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("Container " + id + " is not running"), r.err());
  }

  /** An image no registry has (imported on this node): the cluster's own store answers its digest. */
  @Test
  @Order(10)
  void serviceCreatePinsTheDigestOfAnImageOnlyTheClusterHas() throws Exception {
    DockerCli.Run r = docker.run("service", "create", "-d", "--name", "pinned", IMAGE, "sleep", "600").ok();
    assertTrue(!r.err().contains("could not be accessed"), r.err());
    String pinned = docker.run("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
        "pinned").ok().out().trim();
    assertTrue(pinned.matches(java.util.regex.Pattern.quote(IMAGE) + "@sha256:[0-9a-f]{64}"), pinned);
    await(CONVERGE, "the pinned task running", () -> {
      try {
        for (JsonNode t : node.get("/tasks")) {
          if (t.path("Spec").path("ContainerSpec").path("Image").asText().equals(pinned)
              && t.path("Status").path("State").asText().equals("running")) {
            return true;
          }
        }
        return false;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }
}
