package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client verbs end to end through {@code Main.run} against a fake daemon over {@code -H tcp://...}. */
class ClientCommandsTest {
  private FakeDaemon daemon;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    daemon = new FakeDaemon();
    daemon.on("GET", "/info", "{'Swarm':{'NodeID':'node1','ControlAvailable':true,'LocalNodeState':'active'}}");
    daemon.on("GET", "/nodes", "[{'ID':'node1','Version':{'Index':3},'Spec':{'Role':'manager','Availability':'active'},"
        + "'Description':{'Hostname':'alpha','Engine':{'EngineVersion':'0.1.0'}},'Status':{'State':'ready'},"
        + "'ManagerStatus':{'Leader':true,'Reachability':'reachable','Addr':'10.0.0.1:2377'}},"
        + "{'ID':'node2','Version':{'Index':4},'Spec':{'Role':'worker','Availability':'active'},"
        + "'Description':{'Hostname':'beta'},'Status':{'State':'ready'}}]");
    daemon.on("GET", "/nodes/node1", "{'ID':'node1','Version':{'Index':3},'Spec':{'Role':'manager',"
        + "'Availability':'active','Labels':{'zone':'a'}},'Description':{'Hostname':'alpha'},"
        + "'ManagerStatus':{'Leader':true,'Reachability':'reachable','Addr':'10.0.0.1:2377'}}");
    String web = "{'ID':'svc1234567890abcdef','Version':{'Index':7},'Spec':{'Name':'web',"
        + "'Mode':{'Replicated':{'Replicas':2}},'TaskTemplate':{'ContainerSpec':{'Image':'nginx:1'}}}}";
    daemon.on("GET", "/services/web", web);
    daemon.on("GET", "/services/svc1234567890abcdef", web);
    daemon.on("GET", "/services", "[" + web + "]");
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  private Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(2, "-H");
    all.add(3, daemon.address());
    return runRaw(all.toArray(String[]::new));
  }

  private static Result runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  private static JsonNode json(String s) throws IOException {
    return Json.mapper().readTree(s);
  }

  @Test
  void nodeLsMarksSelfAndTakesHostBeforeTheVerb() {
    Result r = runRaw("-H", daemon.address(), "node", "ls");
    assertEquals(0, r.code(), r.err());
    assertEquals("ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
        + "node1 *   alpha      Ready     Active         Leader           0.1.0\n"
        + "node2     beta       Ready     Active                          \n", r.out());
    assertEquals("node1\nnode2\n", run("node", "ls", "-q").out());
    assertTrue(daemon.requests.stream().allMatch(q -> q.uri().startsWith("/v1.41/")), daemon.requests.toString());
  }

  @Test
  void nodeLsPassesFiltersAndPrintsJsonLines() throws IOException {
    daemon.on("GET", "/nodes?filters={\"role\":[\"manager\"]}", "[]");
    Result r = run("node", "ls", "--filter", "role=manager", "--format", "json");
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, daemon.requests("GET", "/nodes?filters={\"role\":[\"manager\"]}").size());
  }

  @Test
  void nodeUpdateSendsTheChangedSpecWithItsVersion() throws IOException {
    daemon.on("POST", "/nodes/node1/update?version=3", "");
    Result r = run("node", "update", "--availability", "drain", "--label-add", "disk=ssd", "--label-rm", "zone", "node1");
    assertEquals(0, r.code(), r.err());
    assertEquals("node1\n", r.out());
    JsonNode spec = json(daemon.requests("POST", "/nodes/node1/update?version=3").get(0).body());
    assertEquals("drain", spec.get("Availability").asText());
    assertEquals("manager", spec.get("Role").asText());
    assertEquals("{\"disk\":\"ssd\"}", spec.get("Labels").toString());
  }

  @Test
  void serviceCreateDetachedSendsTheSpecAndPrintsTheId() throws IOException {
    daemon.on("POST", "/services/create", 201, "{'ID':'newservice123','Warnings':['image could not be accessed']}");
    Result r = run("service", "create", "-d", "--name", "web", "--replicas", "3", "--reserve-cpu", "0.5",
        "--reserve-memory", "64M", "-p", "8080:80", "--restart-delay", "10s", "nginx:1", "nginx", "-g", "daemon off;");
    assertEquals(0, r.code(), r.err());
    assertEquals("newservice123\n", r.out());
    assertEquals("image could not be accessed\n", r.err());
    JsonNode spec = json(daemon.requests("POST", "/services/create").get(0).body());
    assertEquals("web", spec.at("/Name").asText());
    assertEquals(3, spec.at("/Mode/Replicated/Replicas").asInt());
    assertEquals(500_000_000L, spec.at("/TaskTemplate/Resources/Reservations/NanoCPUs").asLong());
    assertEquals(64L << 20, spec.at("/TaskTemplate/Resources/Reservations/MemoryBytes").asLong());
    assertEquals(10_000_000_000L, spec.at("/TaskTemplate/RestartPolicy/Delay").asLong());
    assertEquals("[\"nginx\",\"-g\",\"daemon off;\"]", spec.at("/TaskTemplate/ContainerSpec/Args").toString());
    assertEquals(8080, spec.at("/EndpointSpec/Ports/0/PublishedPort").asInt());
  }

  @Test
  void serviceCreateWaitsUntilTheTasksRun() throws IOException {
    daemon.on("POST", "/services/create", 201, "{'ID':'svc1234567890abcdef'}");
    daemon.on("GET", "/tasks?filters={\"service\":[\"svc1234567890abcdef\"]}",
        "[{'ID':'t1','ServiceID':'svc1234567890abcdef','Slot':1,'DesiredState':'running','Status':{'State':'running'}},"
            + "{'ID':'t2','ServiceID':'svc1234567890abcdef','Slot':2,'DesiredState':'running','Status':{'State':'running'}}]");
    // No terminal here: like `docker service create` in a script it would return at once; --detach=false waits.
    Result r = run("service", "create", "--detach=false", "--name", "web", "--replicas", "2", "nginx:1");
    assertEquals(0, r.code(), r.err());
    String done = " [==================================================>]\n";
    assertEquals("svc1234567890abcdef\noverall progress: 2 out of 2 tasks\n1/2: running  " + done + "2/2: running  " + done
        + "verify: Service converged\n", r.out());
    Result detached = run("service", "create", "--name", "web", "nginx:1");
    assertEquals("svc1234567890abcdef\n", detached.out(), "no terminal, no --detach=false: no waiting");
    JsonNode spec = json(daemon.requests("POST", "/services/create").get(0).body());
    assertEquals("pause", spec.at("/UpdateConfig/FailureAction").asText(), "Docker's defaults are sent");
    assertEquals(5_000_000_000L, spec.at("/RollbackConfig/Monitor").asLong());
  }

  @Test
  void serviceLsShowsReplicaCounts() {
    daemon.on("GET", "/services?status=true", "[{'ID':'svc1234567890abcdef','Spec':{'Name':'web',"
        + "'Mode':{'Replicated':{'Replicas':3}},'TaskTemplate':{'ContainerSpec':{'Image':'nginx:1'}}},"
        + "'ServiceStatus':{'RunningTasks':2,'DesiredTasks':3}}]");
    Result r = run("service", "ls");
    assertEquals(0, r.code(), r.err());
    assertEquals("ID             NAME      MODE         REPLICAS   IMAGE     PORTS\n"
        + "svc123456789   web       replicated   2/3        nginx:1   \n", r.out());
    Result j = run("service", "ls", "--format", "json");
    assertEquals("{\"ID\":\"svc123456789\",\"Image\":\"nginx:1\",\"Mode\":\"replicated\",\"Name\":\"web\",\"Ports\":\"\","
        + "\"Replicas\":\"2/3\"}\n", j.out());
  }

  @Test
  void servicePsAsksTheDaemonForItsRowsInOneRequest() {
    String row = "[{'ID':'task01234567','Name':'web.1','Image':'nginx:1','Node':'beta','DesiredState':'Running',"
        + "'CurrentState':'Running about an hour ago','Error':'','Ports':''}]";
    daemon.on("GET", "/tasks?view=rows&now=NOW&trunc=true&filters={\"service\":[\"web\"]}", row);
    daemon.on("GET", "/tasks?view=rows&now=NOW&trunc=false&filters={\"service\":[\"web\"]}",
        row.replace("task01234567", "task0123456789xyz"));
    daemon.requests.clear();
    long before = System.currentTimeMillis();
    Result r = run("service", "ps", "web");
    long after = System.currentTimeMillis();
    assertEquals(0, r.code(), r.err());
    // one request: the daemon resolves the service, names the nodes and counts "an hour ago" from this clock
    assertEquals(1, daemon.requests.size(), daemon.requests.toString());
    assertTrue(daemon.requests.get(0).path().startsWith("/tasks?view=table&"), "the default table is the daemon's: "
        + daemon.requests.get(0).path());
    java.util.regex.Matcher now = java.util.regex.Pattern.compile("[?&]now=([0-9]+)").matcher(daemon.requests.get(0).uri());
    assertTrue(now.find(), daemon.requests.get(0).uri());
    long sent = Long.parseLong(now.group(1));
    assertTrue(sent >= before && sent <= after, sent + " not in [" + before + ", " + after + "]");
    assertEquals("ID             NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE               ERROR     PORTS\n"
        + "task01234567   web.1     nginx:1   beta      Running         Running about an hour ago             \n",
        r.out());
    assertEquals("task0123456789xyz\n", run("service", "ps", "-q", "web").out(), "ids only (-q) are whole");
    Result node = run("service", "ps", "web", "--format", "{{.Node}}");
    assertEquals("beta\n", node.out(), node.err());
    Result table = run("service", "ps", "web", "--format", "table {{.Name}}\\t{{.CurrentState}}\\t{{upper .Node}}");
    assertEquals("NAME      CURRENT STATE               NODE\nweb.1     Running about an hour ago   BETA\n", table.out(),
        table.err());
    Result bad = run("service", "ps", "web", "--format", "{{.Nodes}}");
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("can't evaluate field Nodes; the fields are CurrentState, DesiredState, Error, ID, "
        + "Image, Name, Node, Ports"), bad.err());
  }

  @Test
  void servicePsNamesTheServicesThatDoNotExist() {
    // the daemon answers 404 for a filter naming a service it does not have: each is looked up, the others listed
    daemon.on("GET", "/tasks?view=rows&now=NOW&trunc=true&filters={\"service\":[\"svc1234567890abcdef\"]}",
        "[{'ID':'task01234567','Name':'web.1','Image':'nginx:1','Node':'beta','DesiredState':'Running',"
            + "'CurrentState':'Running about an hour ago','Error':'','Ports':''}]");
    daemon.requests.clear();
    Result r = run("service", "ps", "web", "nope");
    assertEquals(1, r.code(), r.err());
    assertEquals("no such service: nope\n", r.err());
    assertTrue(r.out().contains("task01234567   web.1"), r.out());
    List<String> sent = new java.util.ArrayList<>();
    for (FakeDaemon.Request q : daemon.requests) {
      sent.add(q.method() + " " + q.path());
    }
    assertEquals(List.of("GET /tasks?view=table&now=NOW&trunc=true&filters={\"service\":[\"web\",\"nope\"]}",
        "GET /services/web", "GET /services/nope",
        "GET /tasks?view=table&now=NOW&trunc=true&filters={\"service\":[\"svc1234567890abcdef\"]}"), sent);
    Result none = run("service", "ps", "nope");
    assertEquals(1, none.code());
    assertEquals("no such service: nope\n", none.err());
  }

  @Test
  void serviceInspectTakesAGoTemplate() {
    Result r = run("service", "inspect", "web", "--format", "{{json .Spec.Mode}} {{.Spec.Name}} {{index .Spec.Labels \"a\"}}");
    assertEquals(0, r.code(), r.err());
    assertEquals("{\"Replicated\":{\"Replicas\":2}} web <no value>\n", r.out());
    Result both = run("service", "inspect", "--pretty", "-f", "{{.ID}}", "web");
    assertEquals(1, both.code());
    assertTrue(both.err().contains("--format is incompatible with human friendly format"), both.err());
  }

  @Test
  void serviceScaleAndUpdatePostTheSpecWithTheVersion() throws IOException {
    daemon.on("POST", "/services/svc1234567890abcdef/update?version=7", "{}");
    Result r = run("service", "scale", "-d", "web=5");
    assertEquals(0, r.code(), r.err());
    assertEquals("web scaled to 5\n", r.out());
    JsonNode spec = json(daemon.requests("POST", "/services/svc1234567890abcdef/update?version=7").get(0).body());
    assertEquals(5, spec.at("/Mode/Replicated/Replicas").asInt());

    Result u = run("service", "update", "-d", "--image", "nginx:2", "--limit-memory", "1g", "web");
    assertEquals(0, u.code(), u.err());
    assertEquals("web\n", u.out());
    JsonNode updated = json(daemon.requests("POST", "/services/svc1234567890abcdef/update?version=7").get(1).body());
    assertEquals("nginx:2", updated.at("/TaskTemplate/ContainerSpec/Image").asText());
    assertEquals(1L << 30, updated.at("/TaskTemplate/Resources/Limits/MemoryBytes").asLong());
    assertEquals(2, updated.at("/Mode/Replicated/Replicas").asInt(), "the rest of the spec is kept");
  }

  @Test
  void daemonErrorsAreReportedLikeDocker() {
    daemon.on("DELETE", "/services/nope", 404, "{'message':'service nope not found'}");
    Result rm = run("service", "rm", "nope");
    assertEquals(1, rm.code());
    assertEquals("Error response from daemon: service nope not found\n", rm.err());

    daemon.on("GET", "/services?status=true", 503, "{'message':'This node is not a swarm manager.'}");
    Result ls = run("service", "ls");
    assertEquals(1, ls.code());
    assertEquals("Error response from daemon: This node is not a swarm manager.\n", ls.err());

    Result inspect = run("service", "inspect", "nope");
    assertEquals(1, inspect.code());
    assertEquals("[]\n", inspect.out());
    assertEquals("Error: no such service: nope\n", inspect.err());
  }

  @Test
  void inspectPrintsTheDaemonsJsonIndented() throws IOException {
    Result r = run("node", "inspect", "self");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("[\n    {\n        \"ID\": \"node1\",\n"), r.out());
    assertEquals("node1", json(r.out()).get(0).get("ID").asText());
    Result pretty = run("node", "inspect", "--pretty", "node1");
    assertTrue(pretty.out().contains("Hostname:              \talpha\n"), pretty.out());
    assertTrue(pretty.out().contains(" Leader:\t\tYes\n"), pretty.out());
  }

  @Test
  void swarmInitPrintsTheWorkerJoinCommand() throws IOException {
    daemon.on("POST", "/swarm/init", "\"node1\"");
    daemon.on("GET", "/swarm", "{'ID':'cluster','Version':{'Index':11},'Spec':{'Name':'default'},"
        + "'JoinTokens':{'Worker':'JSWMTKN-1-abc-worker','Manager':'JSWMTKN-1-abc-manager'}}");
    Result r = run("swarm", "init", "--advertise-addr", "10.0.0.1", "--dispatcher-heartbeat", "2s",
        "--task-history-limit", "3");
    assertEquals(0, r.code(), r.err());
    assertEquals("Swarm initialized: current node (node1) is now a manager.\n\n"
        + "To add a worker to this swarm, run the following command:\n\n"
        + "    jswarm swarm join --token JSWMTKN-1-abc-worker 10.0.0.1:2377\n\n"
        + "To add a manager to this swarm, run 'jswarm swarm join-token manager' and follow the instructions.\n",
        r.out());
    JsonNode init = json(daemon.requests("POST", "/swarm/init").get(0).body());
    assertEquals("10.0.0.1", init.get("AdvertiseAddr").asText());
    // no --listen-addr: the daemon listens on 0.0.0.0 and its own --cluster-port
    assertTrue(init.path("ListenAddr").asText("").isEmpty(), init.toString());
    assertEquals(2_000_000_000L, init.at("/Spec/Dispatcher/HeartbeatPeriod").asLong());
    assertEquals(3, init.at("/Spec/Orchestration/TaskHistoryRetentionLimit").asInt());
  }

  @Test
  void swarmInitForceNewClusterAsksTheDaemonToRecover() throws IOException {
    daemon.on("POST", "/swarm/init", "\"node1\"");
    daemon.on("GET", "/swarm", "{'ID':'cluster','Version':{'Index':11},'Spec':{'Name':'default'},"
        + "'JoinTokens':{'Worker':'JSWMTKN-1-abc-worker','Manager':'JSWMTKN-1-abc-manager'}}");
    Result r = run("swarm", "init", "--force-new-cluster", "--advertise-addr", "10.0.0.9");
    assertEquals(0, r.code(), r.err());
    JsonNode init = json(daemon.requests("POST", "/swarm/init").get(0).body());
    assertTrue(init.get("ForceNewCluster").asBoolean(), init.toString());
    assertEquals("10.0.0.9", init.get("AdvertiseAddr").asText());
  }

  @Test
  void joinTokenRotationUsesSwarmUpdate() {
    daemon.on("GET", "/swarm", "{'ID':'cluster','Version':{'Index':11},'Spec':{'Name':'default'},"
        + "'JoinTokens':{'Worker':'JSWMTKN-1-abc-worker','Manager':'JSWMTKN-1-abc-manager'}}");
    daemon.on("POST", "/swarm/update?version=11&rotateWorkerToken=true", "");
    Result r = run("swarm", "join-token", "--rotate", "-q", "worker");
    assertEquals(0, r.code(), r.err());
    assertEquals("JSWMTKN-1-abc-worker\n", r.out());
    assertEquals(1, daemon.requests("POST", "/swarm/update?version=11&rotateWorkerToken=true").size());
  }

  @Test
  void joinTokenPrintsTheJoinCommandFromTheSwarmAndTheNode() {
    daemon.on("GET", "/swarm", "{'ID':'cluster','Version':{'Index':11},'Spec':{'Name':'default'},"
        + "'JoinTokens':{'Worker':'JSWMTKN-1-abc-worker','Manager':'JSWMTKN-1-abc-manager'}}");
    Result r = run("swarm", "join-token", "worker");
    assertEquals(0, r.code(), r.err());
    assertEquals("To add a worker to this swarm, run the following command:\n\n"
        + "    jswarm swarm join --token JSWMTKN-1-abc-worker 10.0.0.1:2377\n\n", r.out());
    assertEquals("JSWMTKN-1-abc-manager\n", run("swarm", "join-token", "-q", "manager").out());
    daemon.on("GET", "/swarm", "{'ID':'cluster','Spec':{'Name':'default'}}"); // no tokens (not a manager's answer)
    assertEquals("\n", run("swarm", "join-token", "-q", "worker").out());
    assertEquals("To add a manager to this swarm, run the following command:\n\n"
        + "    jswarm swarm join --token null 10.0.0.1:2377\n\n", run("swarm", "join-token", "manager").out());
  }

  @Test
  void flagErrorsNameTheFlag() {
    Result r = run("service", "create", "--reserve-memory", "lots", "nginx");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("'--reserve-memory'") && r.err().contains("such as 64M"), r.err());
    Result d = run("swarm", "update", "--dispatcher-heartbeat", "5");
    assertTrue(d.err().contains("'--dispatcher-heartbeat'") && d.err().contains("such as 5s"), d.err());
    assertTrue(daemon.requests.isEmpty(), "nothing is sent when flags are wrong");
  }

  @Test
  void nodePsDefaultsToSelf() {
    daemon.on("GET", "/tasks?view=rows&now=NOW&trunc=true&filters={\"node\":[\"node1\"]}",
        "[{'ID':'task01234567','Name':'web.2','Image':'nginx:1','Node':'alpha','DesiredState':'Running',"
            + "'CurrentState':'Assigned','Error':'','Ports':''}]");
    Result r = run("node", "ps", "--format", "json");
    assertEquals(0, r.code(), r.err());
    assertEquals("{\"CurrentState\":\"Assigned\",\"DesiredState\":\"Running\",\"Error\":\"\",\"ID\":\"task01234567\","
        + "\"Image\":\"nginx:1\",\"Name\":\"web.2\",\"Node\":\"alpha\",\"Ports\":\"\"}\n", r.out());
  }

  @Test
  void promoteDemoteAndMembership() throws IOException {
    daemon.on("GET", "/nodes/node2", "{'ID':'node2','Version':{'Index':4},'Spec':{'Role':'worker','Availability':'active'}}");
    daemon.on("POST", "/nodes/node2/update?version=4", "");
    Result p = run("node", "promote", "node2", "node1");
    assertEquals(0, p.code(), p.err());
    assertEquals("Node node2 promoted to a manager in the swarm.\nNode node1 is already a manager.\n", p.out());
    assertEquals("manager", json(daemon.requests("POST", "/nodes/node2/update?version=4").get(0).body())
        .get("Role").asText());
    Result d = run("node", "demote", "node2");
    assertEquals("Node node2 is already a worker.\n", d.out());

    daemon.on("DELETE", "/nodes/node2?force=true", "");
    assertEquals("node2\n", run("node", "rm", "--force", "node2").out());

    daemon.on("POST", "/swarm/leave?force=true", "");
    assertEquals("Node left the swarm.\n", run("swarm", "leave", "--force").out());

    daemon.on("POST", "/swarm/join", "");
    daemon.on("GET", "/info", "{'Swarm':{'NodeID':'node3','ControlAvailable':false}}");
    Result j = run("swarm", "join", "--token", "JSWMTKN-1-abc-worker", "10.0.0.1:2377");
    assertEquals(0, j.code(), j.err());
    assertEquals("This node joined a swarm as a worker.\n", j.out());
    JsonNode join = json(daemon.requests("POST", "/swarm/join").get(0).body());
    assertEquals("[\"10.0.0.1:2377\"]", join.get("RemoteAddrs").toString());
    assertEquals("JSWMTKN-1-abc-worker", join.get("JoinToken").asText());
  }

  @Test
  void unreachableDaemonIsNamed() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Result r = runRaw("service", "ls", "-H", "tcp://127.0.0.1:" + port);
    assertEquals(1, r.code());
    assertEquals("Cannot connect to the jswarm daemon at tcp://127.0.0.1:" + port + ". Is the jswarm daemon running?\n",
        r.err());
  }
}
