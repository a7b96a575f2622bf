package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The picocli-free path of the everyday read verbs ({@link QuickVerbs}): it takes their plain forms, gives exactly
 * what picocli's path gives (output, errors, exit code, the requests sent), and leaves every other command line to
 * picocli.
 */
class QuickVerbsTest {
  private FakeDaemon daemon;

  record Result(int code, String out, String err, List<String> requests) {}

  @BeforeEach
  void start() throws IOException {
    daemon = new FakeDaemon();
    daemon.on("GET", "/info", "{'Swarm':{'NodeID':'node1','LocalNodeState':'active','Cluster':{'TLSInfo':"
        + "{'TrustRoot':'root','CertIssuerSubject':'s','CertIssuerPublicKey':'k'}}}}");
    String nodes = "[{'ID':'node1','Spec':{'Role':'manager','Availability':'active'},"
        + "'Description':{'Hostname':'alpha','Engine':{'EngineVersion':'0.1.0'},'TLSInfo':{'TrustRoot':'root',"
        + "'CertIssuerSubject':'s','CertIssuerPublicKey':'k'}},'Status':{'State':'ready'},"
        + "'ManagerStatus':{'Leader':true,'Reachability':'reachable'}},"
        + "{'ID':'node2','Spec':{'Role':'worker','Availability':'drain'},'Description':{'Hostname':'beta',"
        + "'TLSInfo':{'TrustRoot':'old'}},'Status':{'State':'down'}}]";
    daemon.on("GET", "/nodes", nodes);
    daemon.on("GET", "/nodes?filters={\"role\":[\"manager\"]}", nodes);
    daemon.on("GET", "/nodes/node1", "{'ID':'node1','Description':{'Hostname':'alpha'},"
        + "'ManagerStatus':{'Leader':true,'Addr':'10.0.0.1:2377'}}");
    String web = "{'ID':'svc1234567890abcdef','Version':{'Index':7},'Spec':{'Name':'web','Mode':{'Replicated':{'Replicas':2}},"
        + "'TaskTemplate':{'ContainerSpec':{'Image':'nginx:1@sha256:abc'},'Placement':{'MaxReplicas':1}},"
        + "'EndpointSpec':{'Ports':[{'TargetPort':80,'PublishedPort':8080}]}},"
        + "'Endpoint':{'Ports':[{'Protocol':'tcp','TargetPort':80,'PublishedPort':8080,'PublishMode':'ingress'},"
        + "{'Protocol':'tcp','TargetPort':81,'PublishedPort':8081,'PublishMode':'ingress'},"
        + "{'Protocol':'udp','TargetPort':53,'PublishedPort':53}]},"
        + "'ServiceStatus':{'RunningTasks':1,'DesiredTasks':2},'UpdateStatus':{'State':'updating'}}";
    String job = "{'ID':'job4567890123','Spec':{'Name':'batch','Mode':{'ReplicatedJob':{'MaxConcurrent':1,"
        + "'TotalCompletions':5}},'TaskTemplate':{'ContainerSpec':{'Image':'busybox'}}},"
        + "'ServiceStatus':{'RunningTasks':1,'DesiredTasks':1,'CompletedTasks':2}}";
    daemon.on("GET", "/services?status=true", "[" + web + "," + job + "]");
    daemon.on("GET", "/services", "[" + web + "," + job + "]");
    daemon.on("GET", "/services?filters={\"name\":[\"web\"],\"label\":[\"a=b\"]}", "[" + web + "]");
    daemon.on("GET", "/services?status=true&filters={\"name\":[\"web\"],\"label\":[\"a=b\"]}", "[" + web + "]");
    daemon.on("GET", "/services/web", web);
    daemon.on("GET", "/services/batch", job);
    // the daemon's rows (TaskRows): one slot with an older task, a global task of a service that is gone
    String rows = "[{'ID':'task3','Name':'gone.node9','Image':'','Node':'node9','DesiredState':'',"
        + "'CurrentState':'New','Error':'','Ports':''},"
        + "{'ID':'task1aaaaaaa','Name':'web.1','Image':'nginx:1','Node':'alpha','DesiredState':'Running',"
        + "'CurrentState':'Running 11 months ago (healthy)','Error':'','Ports':'*:30000->80/tcp'},"
        + "{'ID':'task2bbbbbbb','Name':'web.1','Previous':true,'Image':'nginx:0','Node':'beta',"
        + "'DesiredState':'Shutdown','CurrentState':'Failed 11 months ago',"
        + "'Error':'\\\"task: non-zero exit (1) and a…\\\"','Ports':''}]";
    for (String trunc : List.of("true", "false")) {
      String q = "/tasks?view=rows&now=NOW&trunc=" + trunc + "&filters=";
      daemon.on("GET", q + "{\"service\":[\"web\"]}", rows);
      daemon.on("GET", q + "{\"desired-state\":[\"running\"],\"service\":[\"web\"]}", rows);
      daemon.on("GET", q + "{\"service\":[\"web\",\"batch\"]}", rows);
      daemon.on("GET", q + "{\"service\":[\"svc1234567890abcdef\"]}", rows);
      daemon.on("GET", q + "{\"node\":[\"node1\"]}", rows);
    }
    String networks = "[{'Name':'ingress','Id':'net1234567890abcdef','Driver':'overlay','Scope':'swarm',"
        + "'Created':'2026-01-01T00:00:00Z'},{'Name':'bridge','Id':'net0000000000000000','Driver':'bridge',"
        + "'Scope':'local'}]";
    daemon.on("GET", "/networks", networks);
    daemon.on("GET", "/networks?filters={\"driver\":[\"overlay\"]}", networks);
    String volumes = "{'Volumes':[{'Name':'data','Driver':'local','Mountpoint':'/v/data','UsageData':{'Size':2048,"
        + "'RefCount':1}},{'Name':'cache','Driver':'local'}]}";
    daemon.on("GET", "/volumes", volumes);
    daemon.on("GET", "/volumes?size=1", volumes);
    daemon.on("GET", "/images/json?filters={\"reference\":{\"busybox\":true}}", "[]");
    String secrets = "[{'ID':'sec2','CreatedAt':'2026-01-01T00:00:00Z','UpdatedAt':'2026-01-02T00:00:00Z',"
        + "'Spec':{'Name':'zeta','Labels':{'b':'2','a':'1'}}},{'ID':'sec1','CreatedAt':'bad time',"
        + "'UpdatedAt':'2026-01-01T00:00:00Z','Spec':{'Name':'alpha'}}]";
    for (String noun : List.of("secrets", "configs")) {
      daemon.on("GET", "/" + noun, secrets);
      daemon.on("GET", "/" + noun + "?filters={\"name\":[\"alpha\"]}", secrets);
      daemon.on("GET", "/" + noun + "/alpha", "{'ID':'sec1','Version':{'Index':3},'Spec':{'Name':'alpha',"
          + "'Labels':{},'Data':null},'Odd':\"tab\\tquote\\\"\\u0001é\",'Ratio':0.5}");
      daemon.on("GET", "/" + noun + "/zeta", "{'ID':'sec2','Spec':{'Name':'zeta','Labels':{'a':'1'}},'List':[1,[],{}]}");
    }
    daemon.on("GET", "/swarm", "{'ID':'cluster','Version':{'Index':11},'Spec':{'Name':'default'},"
        + "'JoinTokens':{'Worker':'JSWMTKN-1-w','Manager':'JSWMTKN-1-m'}}");
    daemon.on("POST", "/swarm/update?version=11&rotateWorkerToken=true", "");
    daemon.on("POST", "/services/svc1234567890abcdef/update?version=7", "{'Warnings':['a warning']}");
    daemon.on("DELETE", "/services/web", "");
    String stacks = "[{'ID':'s1','Spec':{'Name':'app_web','Labels':{'com.docker.stack.namespace':'app'}}},"
        + "{'ID':'s2','Spec':{'Name':'app_db','Labels':{'com.docker.stack.namespace':'app'}}},"
        + "{'ID':'s3','Spec':{'Name':'b_x','Labels':{'com.docker.stack.namespace':'b'}}},"
        + "{'ID':'s4','Spec':{'Name':'loose','Labels':{'com.docker.stack.namespace':null}}},{'ID':'s5','Spec':{}}]";
    daemon.on("GET", "/services?filters={\"label\":[\"com.docker.stack.namespace\"]}", stacks);
    daemon.on("GET", "/images/json", "[{'Id':'sha256:abcdef0123456789abcdef','RepoTags':['busybox:latest'],"
        + "'RepoDigests':['busybox@sha256:ffff'],'Created':1700000000,'Size':4200000}]");
  }

  /** Each line through {@link QuickVerbs} and through picocli: the same output, errors, exit code and requests. */
  private void assertBothWaysAlike(List<String[]> lines) {
    for (String[] line : lines) {
      Result quick = run(true, line);
      Result picocli = run(false, line);
      String what = String.join(" ", line);
      assertEquals(picocli, quick, what);
      assertTrue(!quick.out().isEmpty() || !quick.err().isEmpty(), what);
    }
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  private Result run(boolean quick, String... args) {
    daemon.requests.clear();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out);
    PrintWriter e = new PrintWriter(err);
    int code = quick ? Main.run(o, e, args) : Main.runParsed(o, e, args);
    List<String> requests = daemon.requests.stream() // now=NOW
        .map(r -> r.method() + " " + r.path() + (r.body().isEmpty() ? "" : " " + r.body())).toList();
    return new Result(code, out.toString(), err.toString(), requests);
  }

  /** The command line with {@code -H <fake daemon>} in front. */
  private String[] at(String... args) {
    List<String> all = new ArrayList<>(List.of("-H", daemon.address()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void quickAndPicocliGiveTheSameOutputErrorsAndRequests() {
    List<String[]> lines = List.of(
        at("service", "ls"), at("service", "list", "-q"), at("service", "ls", "--format", "json"),
        at("service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Ports}}"),
        at("service", "ls", "--format=table {{.ID}}\\t{{.Mode}}"),
        at("service", "ls", "-f", "name=web", "--filter", "label=a=b"), at("service", "ls", "--filter=name=web",
            "--quiet", "-f", "label=a=b"),
        at("node", "ls"), at("node", "list", "-q"), at("node", "ls", "--format", "json", "-f", "role=manager"),
        at("service", "ps", "web"), at("service", "ps", "-q", "web"), at("service", "ps", "--no-trunc", "web"),
        at("service", "ps", "web", "--format", "json", "-f", "desired-state=running"),
        at("service", "ps", "web", "batch"), at("service", "ps", "web", "missing"), at("service", "ps", "missing"),
        at("node", "ps"), at("node", "ps", "node1", "--format", "{{.Name}} {{.Node}} {{.CurrentState}}"),
        new String[] {"service", "ls", "-H", daemon.address()},
        new String[] {"service", "ls", "-H", "unix:///nonexistent/jswarm.sock"},
        new String[] {"--host=" + daemon.address(), "node", "ls"},
        at("service", "ls", "-f", "name"),
        at("network", "ls"), at("network", "list", "-q", "--no-trunc"), at("network", "ls", "-f", "driver=overlay",
            "--format", "{{.Name}} {{.Driver}}"), at("volume", "ls"), at("volume", "ls", "-q"),
        at("volume", "list", "--format", "json"), at("image", "ls"), at("image", "ls", "-q", "--no-trunc"),
        at("image", "list", "--digests"), at("image", "ls", "busybox"), new String[] {"--version"},
        new String[] {"-V"},
        at("service", "inspect", "web"), at("service", "inspect", "web", "batch", "missing"),
        at("service", "inspect", "-f", "{{.Spec.Name}} {{json .Spec.Mode}}", "web"),
        at("service", "inspect", "--format=json", "batch"), at("service", "inspect", "--pretty", "web"),
        at("service", "inspect", "--pretty", "-f", "{{.ID}}", "web"), at("service", "inspect", "missing"),
        at("node", "inspect", "node1"), at("node", "inspect", "--format", "{{.Description.Hostname}}", "self"),
        at("node", "inspect", "self", "nope"), at("secret", "ls"), at("secret", "list", "-q"),
        at("config", "ls"), at("config", "ls", "--format", "json", "-f", "name=alpha"),
        at("secret", "ls", "--format", "{{.Name}} {{.Labels}}"), at("secret", "inspect", "alpha", "zeta"),
        at("config", "inspect", "-f", "{{.Spec.Name}}", "zeta"), at("config", "inspect", "missing", "alpha"),
        at("stack", "ls"), at("stack", "list", "--format", "json"), at("stack", "ls", "--format", "{{.Name}}"),
        at("swarm", "join-token", "worker"), at("swarm", "join-token", "-q", "manager"),
        at("swarm", "join-token", "admin"), at("swarm", "join-token", "--quiet", "--rotate", "worker"),
        at("service", "scale", "-d", "web=3"), at("service", "scale", "--detach", "web=x", "batch=2", "nope=1"),
        at("service", "scale", "-d", "web"), at("service", "rm", "web", "nope"), at("service", "remove", "batch"),
        at("service", "scale", "--dry-run", "web=1"));
    assertBothWaysAlike(lines);
    Result ls = run(true, at("service", "ls"));
    assertEquals("ID             NAME      MODE             REPLICAS                          IMAGE     PORTS\n"
        + "job456789012   batch     replicated job   1/1 (2/5 completed)               busybox   \n"
        + "svc123456789   web       replicated       1/2 (max 1 per node) (updating)   nginx:1   "
        + "*:8080-8081->80-81/tcp, *:53->53/udp\n", ls.out());
    Result ps = run(true, at("service", "ps", "--format", "{{.Name}}|{{.Node}}|{{.Error}}|{{.Ports}}", "web"));
    assertEquals("gone.node9|node9||\nweb.1|alpha||*:30000->80/tcp\nweb.1|beta|\"task: non-zero exit (1) and a…\"|\n",
        ps.out());
    assertEquals("ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
        + "node1 *   alpha      Ready     Active         Leader           0.1.0\n"
        + "node2     beta       Down      Drain                           \n", run(true, at("node", "ls")).out());
    assertTrue(run(true, at("node", "ls", "--format", "{{.TLSStatus}}")).out().equals("Ready\nNeeds Rotation\n"));
  }

  /**
   * The verbs whose annotations {@code QuickFlags} reads ({@link QuickVerbs#annotated}): each form both ways, the same
   * output, errors, exit code and requests (bodies included); the plain forms are taken without picocli.
   */
  @Test
  void annotatedVerbsGiveThePicocliPathsOutputAndRequests() throws Exception {
    daemon.on("GET", "/info", "{'ID':'node1','Containers':3,'ContainersRunning':2,'ContainersPaused':0,"
        + "'ContainersStopped':1,'Images':4,'Driver':'overlay2','LoggingDriver':'json-file','CgroupDriver':'cgroupfs',"
        + "'KernelVersion':'6.1','OperatingSystem':'Debian','OSType':'linux','Architecture':'x86_64','NCPU':2,"
        + "'MemTotal':25276182528,'DockerRootDir':'/var/lib/jswarm','Name':'alpha','ServerVersion':'0.1.0',"
        + "'Runtimes':{'runc':{'path':'runc'},'crun':{'path':'crun'}},'DefaultRuntime':'runc','Debug':false,"
        + "'Labels':['zone=a'],'Warnings':['WARNING: no swap limit support'],"
        + "'Swarm':{'NodeID':'node1','NodeAddr':'10.0.0.1','LocalNodeState':'active','ControlAvailable':true,"
        + "'Nodes':2,'Managers':1,'Cluster':{'ID':'cluster1'},'RemoteManagers':[{'NodeID':'node1','Addr':'10.0.0.1:2377'}],"
        + "'Error':''}}");
    daemon.on("POST", "/services/create", "{'ID':'new1','Warnings':['no such image']}");
    daemon.on("POST", "/services/svc1234567890abcdef/update?version=7&dryRun=true", "{}");
    daemon.on("POST", "/nodes/node1/update?version=0", "");
    daemon.on("DELETE", "/nodes/node2", "");
    daemon.on("GET", "/networks/ingress", "{'Name':'ingress','Id':'net1234567890abcdef','Driver':'overlay'}");
    daemon.on("POST", "/networks/create", "{'Id':'net2'}");
    daemon.on("DELETE", "/networks/ingress", "");
    daemon.on("GET", "/volumes/data", "{'Name':'data','Driver':'local','Mountpoint':'/v/data'}");
    daemon.on("POST", "/volumes/create", "{'Name':'v2','Driver':'local'}");
    daemon.on("DELETE", "/volumes/data", "");
    List<String[]> lines = List.of(
        at("info"), at("info", "-f", "{{.Swarm.LocalNodeState}} {{.NCPU}}"), at("info", "--format", "json"),
        new String[] {"info", "-H", daemon.address()},
        at("service", "create", "-d", "--name", "web2", "--replicas", "3", "-p", "8080:80", "-e", "A=B", "--env", "C=D",
            "--label", "x=y", "--constraint", "node.role==manager", "--update-delay", "10s", "--update-parallelism", "2",
            "--update-max-failure-ratio", "0.25", "--mode", "replicated", "busybox", "sleep", "-x", "1d"),
        at("service", "create", "--detach", "--name=api", "--mode=global", "--rebalance-on-join", "nginx"),
        at("service", "create", "-d", "--replicas", "x", "busybox"), at("service", "create", "-d", "--mode", "odd",
            "busybox"), at("service", "create", "-d", "--update-delay", "soon", "busybox"),
        at("service", "create", "-d", "-p", "80:80:80", "busybox"), at("service", "create", "-q", "-d", "busybox"),
        at("service", "update", "-d", "--label-add", "bench=1", "web"),
        at("service", "update", "--detach", "--image", "nginx:2", "--env-add", "A=B", "--force", "--replicas", "4",
            "--update-order", "start-first", "--update-monitor", "1m", "web"),
        at("service", "update", "-d", "--dry-run", "--label-rm", "x", "web"),
        at("service", "update", "-d", "--replicas", "-1", "web"), at("service", "update", "-d", "missing"),
        at("node", "update", "--label-add", "a=b", "--availability", "drain", "node1"),
        at("node", "update", "--role", "boss", "node1"), at("node", "promote", "node1"), at("node", "demote", "node1"),
        at("node", "demote", "self", "nope"), at("node", "promote", "-H", daemon.address(), "node1", "node1"),
        at("node", "rm", "node2"), at("node", "remove", "nope"),
        at("network", "inspect", "ingress"), at("network", "inspect", "-f", "{{.Driver}}", "ingress", "nope"),
        at("network", "create", "--subnet", "10.9.0.0/24", "--label", "a=b", "-o", "x=y", "net2"),
        at("network", "rm", "ingress"), at("volume", "inspect", "data"), at("volume", "inspect", "nope"),
        at("volume", "create", "--label", "a=b", "v2"), at("volume", "rm", "data"));
    assertBothWaysAlike(lines);
    for (String[] line : List.of(at("info"), at("service", "create", "-d", "--name", "web2", "busybox", "-x"),
        at("service", "update", "-d", "--label-add", "bench=1", "web"), at("node", "update", "--label-add", "a=b",
            "node1"), at("volume", "inspect", "data"), at("network", "inspect", "ingress"))) {
      StringWriter out = new StringWriter();
      assertNotNull(QuickVerbs.run(line, new PrintWriter(out), new PrintWriter(out)), String.join(" ", line));
    }
    for (String[] line : List.of(at("info", "--help"), at("info", "extra"), at("service", "create", "-d", "--name",
        "a", "--name", "b", "busybox"), at("service", "create", "-d"), at("service", "update", "-d", "false", "web"),
        at("service", "update", "-d=true", "web"), at("service", "update", "--rebalance-on-join", "true", "web"),
        at("service", "create", "-d", "--replicas", "07", "busybox"), at("service", "create", "-e", "", "busybox"),
        at("service", "create", "-dq", "busybox"), at("service", "update", "web", "web2"),
        at("service", "create", "--update-max-failure-ratio", "1e-1", "busybox"),
        at("service", "create", "busybox", "@args"), at("node", "update", "--role"))) {
      StringWriter out = new StringWriter();
      assertNull(QuickVerbs.run(line, new PrintWriter(out), new PrintWriter(out)), String.join(" ", line));
      assertEquals("", out.toString(), "nothing is printed before picocli takes over");
    }
    Result info = run(true, at("info"));
    assertEquals("Client:\n Version: " + Main.version() + "\n\nServer:\n Containers: 3\n  Running: 2\n  Paused: 0\n"
        + "  Stopped: 1\n Images: 4\n Server Version: 0.1.0\n Storage Driver: overlay2\n Logging Driver: json-file\n"
        + " Cgroup Driver: cgroupfs\n Swarm: active\n  NodeID: node1\n  Is Manager: true\n  ClusterID: cluster1\n"
        + "  Managers: 1\n  Nodes: 2\n  Node Address: 10.0.0.1\n  Manager Addresses:\n   10.0.0.1:2377\n"
        + " Runtimes: runc crun\n Default Runtime: runc\n Kernel Version: 6.1\n Operating System: Debian\n"
        + " OSType: linux\n Architecture: x86_64\n CPUs: 2\n Total Memory: 23.54GiB\n Name: alpha\n ID: node1\n"
        + " Docker Root Dir: /var/lib/jswarm\n Debug Mode: false\n Labels:\n  zone=a\n", info.out());
    assertEquals("WARNING: no swap limit support\n", info.err());
  }

  /**
   * {@code service scale} sends the daemon's spec with only its replicas changed, from the JSON tree (no data binding):
   * for what a jswarm daemon answers, the very bytes that binding the answer to {@code Service} and writing its spec
   * back gave.
   */
  @Test
  void scaleSendsTheBytesDataBindingSent() {
    ServiceCreateFlags f = new ServiceCreateFlags();
    f.name = "big";
    f.replicas = 2L;
    f.image = "busybox";
    f.args.addAll(List.of("sleep", "1d"));
    f.publish.add("8080:80");
    f.env.addAll(List.of("A=B", "C=\"quoted\" é"));
    f.labels.add("a=b");
    f.constraints.add("node.role==manager");
    f.mounts.add("type=tmpfs,target=/t");
    f.networks.add("ingress");
    f.stopGracePeriod = 3_000_000_000L;
    io.jswarm.api.types.Service.ServiceSpec spec = ServiceSpecs.create(f, k -> null);
    RolloutFlags rollout = new RolloutFlags();
    rollout.updateMaxFailureRatio = 0.25;
    rollout.updateDelay = 5_000_000_000L;
    rollout.apply(spec, true);
    io.jswarm.api.types.Service service = new io.jswarm.api.types.Service();
    service.id = "big1";
    service.version = new io.jswarm.api.types.Version(9);
    service.spec = spec;
    service.previousSpec = io.jswarm.api.json.Json.copy(spec);
    service.registryAuth = "secret";
    byte[] answer = io.jswarm.api.json.Json.toApiBytes(service);
    io.jswarm.api.types.Service bound = io.jswarm.api.json.Json.fromBytes(answer, io.jswarm.api.types.Service.class);
    bound.spec.mode.replicated.replicas = 5L;
    String expected = new String(io.jswarm.api.json.Json.toBytes(bound.spec), java.nio.charset.StandardCharsets.UTF_8);
    daemon.on("GET", "/services/big", new String(answer, java.nio.charset.StandardCharsets.UTF_8).replace('"', '\''));
    daemon.on("POST", "/services/big1/update?version=9", "{}");
    for (boolean quick : List.of(true, false)) {
      Result r = run(quick, at("service", "scale", "-d", "big=5"));
      assertEquals(0, r.code(), r.err());
      assertEquals(List.of("GET /services/big", "POST /services/big1/update?version=9 " + expected), r.requests());
    }
  }

  @Test
  void thePlainFormsAreTakenWithoutPicocli() throws Exception {
    for (String[] line : List.of(at("service", "ls"), at("service", "ps", "-q", "web"), at("node", "ls", "-q"),
        at("node", "ps"), new String[] {"service", "ls", "--host", daemon.address(), "--format", "json"})) {
      StringWriter out = new StringWriter();
      Integer code = QuickVerbs.run(line, new PrintWriter(out), new PrintWriter(new StringWriter()));
      assertNotNull(code, String.join(" ", line));
      assertEquals(0, code);
      assertNotEquals("", out.toString());
    }
  }

  @Test
  void everythingElseIsLeftToPicocli() throws Exception {
    for (String[] line : List.of(new String[] {"--help"}, new String[] {"service", "ls", "--help"},
        new String[] {"service"}, at("service", "ls", "-qf", "name=web"), at("service", "ls", "--format", "a",
            "--format", "b"), at("service", "ls", "-q", "-q"), at("service", "ls", "web"), at("service", "ps"),
        at("service", "ls", "--format"), at("service", "ls", "--format", "-q"),
        at("service", "ls", "--quiet=true"), at("service", "ls", "--"), at("-H", "x", "service", "ls"),
        at("service", "inspect"), at("secret", "ls", "alpha"), at("stack", "ls", "-q"),
        at("swarm", "join-token"), at("swarm", "join-token", "worker", "manager"),
        at("node", "inspect", "--pretty", "--pretty", "self"), at("node", "ls", "--no-trunc"), new String[] {"-Hx", "service", "ls"})) {
      StringWriter out = new StringWriter();
      assertNull(QuickVerbs.run(line, new PrintWriter(out), new PrintWriter(out)), String.join(" ", line));
      assertEquals("", out.toString(), "nothing is printed before picocli takes over");
    }
  }

  @Test
  void everyQuickFlagIsThePicocliCommandsFlag() {
    for (String[] verb : List.of(new String[] {"service", "ls"}, new String[] {"service", "list"},
        new String[] {"node", "ls"}, new String[] {"service", "ps"}, new String[] {"node", "ps"},
        new String[] {"network", "ls"}, new String[] {"volume", "ls"}, new String[] {"image", "ls"},
        new String[] {"service", "inspect"}, new String[] {"node", "inspect"}, new String[] {"secret", "inspect"},
        new String[] {"config", "ls"}, new String[] {"secret", "list"}, new String[] {"stack", "ls"},
        new String[] {"swarm", "join-token"}, new String[] {"service", "scale"}, new String[] {"service", "rm"},
        new String[] {"service", "remove"}, new String[] {"network", "inspect"}, new String[] {"volume", "inspect"},
        new String[] {"node", "promote"}, new String[] {"node", "demote"}, new String[] {"info", null})) {
      QuickVerbs.Verb v = WrittenVerbs.verb(verb[0], verb[1]);
      CommandLine.Model.CommandSpec spec = new CommandLine(v.command()).getCommandSpec();
      String verbName = verb[1] != null ? verb[1] : verb[0];
      assertTrue(spec.name().equals(verbName) || List.of(spec.aliases()).contains(verbName), spec.name());
      for (QuickVerbs.Flag f : v.flags()) {
        for (String name : f.names()) {
          OptionSpec o = spec.findOption(name);
          assertNotNull(o, String.join(" ", verb) + " " + name);
          assertEquals(o.arity().max() > 0, f.takesValue(), name);
          assertEquals(o.isMultiValue(), f.repeatable(), name);
        }
        assertEquals(f.names().size(), spec.findOption(f.names().get(0)).names().length, "all of its names");
      }
      assertEquals(v.minPositionals(), spec.positionalParameters().isEmpty() ? 0
          : spec.positionalParameters().get(0).arity().min(), String.join(" ", verb));
      assertEquals(v.maxPositionals(), spec.positionalParameters().isEmpty() ? 0
          : spec.positionalParameters().get(0).arity().max(), String.join(" ", verb));
    }
  }
}
