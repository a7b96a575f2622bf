package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code service update} rollout flags, {@code service rollback} / {@code promote}, and how waiting ends. */
class ServiceRolloutCommandsTest {
  private static final String ID = "svc1234567890abcdef";
  private static final String UPDATE = "/services/" + ID + "/update?version=7";
  private static final String TASKS = "/tasks?filters={\"service\":[\"" + ID + "\"]}";
  private FakeDaemon daemon;

  record Result(int code, String out, String err) {}

  private static String web(String extra) {
    return "{'ID':'" + ID + "','Version':{'Index':7},'Spec':{'Name':'web',"
        + "'Mode':{'Replicated':{'Replicas':2}},'TaskTemplate':{'ContainerSpec':{'Image':'nginx:1',"
        + "'Env':['A=1','B=2']}}}" + extra + "}";
  }

  @BeforeEach
  void start() throws IOException {
    daemon = new FakeDaemon();
    daemon.on("GET", "/services/web", web(""));
    daemon.on("GET", "/services/" + ID, web(""));
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  private Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("-H", daemon.address()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private JsonNode posted(String path) throws IOException {
    List<FakeDaemon.Request> r = daemon.requests("POST", path);
    assertEquals(1, r.size(), daemon.requests.toString());
    return Json.mapper().readTree(r.get(0).body());
  }

  @Test
  void updateFlagsChangeOnlyWhatTheyName() throws IOException {
    daemon.on("POST", UPDATE, "{}");
    Result r = run("service", "update", "-d", "--update-parallelism", "2", "--update-delay", "10s",
        "--update-failure-action", "rollback", "--update-monitor", "1s", "--update-max-failure-ratio", "0.2",
        "--update-order", "start-first", "--rollback-parallelism", "0", "--rollback-order", "start-first",
        "--env-add", "C=3", "--env-rm", "A", "--args", "sh -c 'sleep 1'", "--limit-pids", "50",
        "--health-cmd", "wget -q localhost", "--health-interval", "2s", "--health-retries", "2", "--force", "web");
    assertEquals(0, r.code(), r.err());
    JsonNode s = posted(UPDATE);
    assertEquals(2, s.at("/UpdateConfig/Parallelism").asInt());
    assertEquals(10_000_000_000L, s.at("/UpdateConfig/Delay").asLong());
    assertEquals("rollback", s.at("/UpdateConfig/FailureAction").asText());
    assertEquals(1_000_000_000L, s.at("/UpdateConfig/Monitor").asLong());
    assertEquals(0.2, s.at("/UpdateConfig/MaxFailureRatio").asDouble());
    assertEquals("start-first", s.at("/UpdateConfig/Order").asText());
    assertEquals(0, s.at("/RollbackConfig/Parallelism").asInt());
    assertEquals("start-first", s.at("/RollbackConfig/Order").asText());
    assertTrue(s.at("/RollbackConfig/FailureAction").isMissingNode(), "not given: left as is");
    JsonNode c = s.at("/TaskTemplate/ContainerSpec");
    assertEquals("[\"B=2\",\"C=3\"]", c.path("Env").toString());
    assertEquals("[\"sh\",\"-c\",\"sleep 1\"]", c.path("Args").toString());
    assertEquals("[\"CMD-SHELL\",\"wget -q localhost\"]", c.at("/Healthcheck/Test").toString());
    assertEquals(2_000_000_000L, c.at("/Healthcheck/Interval").asLong());
    assertEquals(2, c.at("/Healthcheck/Retries").asInt());
    assertEquals(50, s.at("/TaskTemplate/Resources/Limits/Pids").asInt());
    assertEquals(1, s.at("/TaskTemplate/ForceUpdate").asInt());
  }

  @Test
  void badRolloutValuesNameTheFlag() {
    Result r = run("service", "update", "-d", "--update-failure-action", "retry", "web");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("--update-failure-action") && r.err().contains("pause, continue, rollback"), r.err());
    Result ratio = run("service", "update", "-d", "--rollback-max-failure-ratio", "2", "web");
    assertTrue(ratio.err().contains("--rollback-max-failure-ratio"), ratio.err());
    Result order = run("service", "update", "-d", "--update-order", "random", "web");
    assertTrue(order.err().contains("--update-order"), order.err());
    Result rb = run("service", "update", "-d", "--rollback-failure-action", "rollback", "web");
    assertTrue(rb.err().contains("pause, continue"), rb.err());
    Result health = run("service", "update", "-d", "--no-healthcheck", "--health-cmd", "true", "web");
    assertTrue(health.err().contains("--no-healthcheck"), health.err());
    assertTrue(daemon.requests("POST", UPDATE).isEmpty());
  }

  @Test
  void canaryRollbackAndPromoteCallTheApi() throws IOException {
    daemon.on("POST", UPDATE + "&canary=1", "{}");
    assertEquals(0, run("service", "update", "-d", "--canary", "1", "--image", "nginx:2", "web").code());
    assertEquals("nginx:2", posted(UPDATE + "&canary=1").at("/TaskTemplate/ContainerSpec/Image").asText());

    daemon.on("POST", UPDATE + "&rollback=previous", "{}");
    Result rb = run("service", "rollback", "-d", "web");
    assertEquals(0, rb.code(), rb.err());
    assertEquals("web\n", rb.out());
    assertEquals(1, daemon.requests("POST", UPDATE + "&rollback=previous").size());
    assertEquals(0, run("service", "update", "-d", "--rollback", "web").code());
    assertEquals(2, daemon.requests("POST", UPDATE + "&rollback=previous").size());

    daemon.on("POST", "/services/" + ID + "/promote", "{}");
    Result p = run("service", "promote", "-d", "web");
    assertEquals(0, p.code(), p.err());
    assertEquals(1, daemon.requests("POST", "/services/" + ID + "/promote").size());
  }

  @Test
  void createSendsRolloutFlags() throws IOException {
    daemon.on("POST", "/services/create", 201, "{'ID':'" + ID + "'}");
    Result r = run("service", "create", "-d", "--name", "web", "--update-order", "start-first",
        "--rollback-monitor", "2s", "nginx:1");
    assertEquals(0, r.code(), r.err());
    JsonNode s = posted("/services/create");
    assertEquals("start-first", s.at("/UpdateConfig/Order").asText());
    assertEquals(1, s.at("/UpdateConfig/Parallelism").asInt());
    assertEquals(2_000_000_000L, s.at("/RollbackConfig/Monitor").asLong());
    assertEquals("stop-first", s.at("/RollbackConfig/Order").asText());
  }

  @Test
  void detachDefaultsToWaitingOnlyOnATerminal() {
    assertTrue(ServiceRolloutCommands.shouldWait(null, true));
    assertFalse(ServiceRolloutCommands.shouldWait(null, false));
    assertTrue(ServiceRolloutCommands.shouldWait(false, false));
    assertFalse(ServiceRolloutCommands.shouldWait(true, true));
  }

  // ---- how waiting ends ----

  private static final String RUNNING2 = "[{'ID':'t1','ServiceID':'" + ID + "','Slot':1,'DesiredState':'running',"
      + "'Spec':{'ContainerSpec':{'Image':'nginx:1','Env':['A=1','B=2']}},'Status':{'State':'running'}},"
      + "{'ID':'t2','ServiceID':'" + ID + "','Slot':2,'DesiredState':'running',"
      + "'Spec':{'ContainerSpec':{'Image':'nginx:1','Env':['A=1','B=2']}},'Status':{'State':'running'}}]";

  private String await(String status, boolean terminal, boolean rollback) throws Exception {
    daemon.on("GET", "/services/" + ID, web(status));
    daemon.on("GET", TASKS, RUNNING2);
    StringWriter out = new StringWriter();
    try (ApiClient api = new ApiClient(DaemonAddress.parse(daemon.address()))) {
      ServiceConvergence.await(api, ID, new PrintWriter(out), d -> { }, terminal, rollback);
    }
    return out.toString();
  }

  @Test
  void aPausedUpdateFailsARolledBackUpdateFailsACanaryPauseSucceeds() throws Exception {
    UsageException paused = assertThrows(UsageException.class, () -> await(",'UpdateStatus':{'State':'paused',"
        + "'Message':'update paused due to failure or early termination of task t9'}", false, false));
    assertEquals("service update paused: update paused due to failure or early termination of task t9",
        paused.getMessage());
    UsageException rolled = assertThrows(UsageException.class, () -> await(",'UpdateStatus':"
        + "{'State':'rollback_completed','Message':'rollback completed'}", false, false));
    assertTrue(rolled.getMessage().startsWith("service rolled back"), rolled.getMessage());
    String rolledOk = await(",'UpdateStatus':{'State':'rollback_completed','Message':'rollback completed'}", false,
        true);
    assertTrue(rolledOk.endsWith("verify: Service converged\n"), rolledOk);
    String canary = await(",'UpdateStatus':{'State':'paused','Canary':1,'Message':'canary: 1 of 2 tasks run the new "
        + "spec; `jswarm service promote web` to continue or `jswarm service rollback web`'}", false, false);
    assertTrue(canary.endsWith("`jswarm service rollback web`\n"), canary);
  }

  @Test
  void onATerminalTheBlockIsDrawnWithClearedLines() throws Exception {
    String out = await("", true, false);
    assertEquals("\u001b[2Koverall progress: 2 out of 2 tasks\n"
        + "\u001b[2K1/2: running   [==================================================>]\n"
        + "\u001b[2K2/2: running   [==================================================>]\n"
        + "verify: Service converged\n", out);
  }

  @Test
  void aTaskOfTheOldSpecOrNotYetHealthyDoesNotCount() {
    Service s = Json.mapper().convertValue(json(web("")), Service.class);
    List<io.jswarm.api.types.Task> tasks = List.of(
        Json.mapper().convertValue(json("{'ID':'a','Slot':1,'DesiredState':'running','Spec':{'ContainerSpec':"
            + "{'Image':'nginx:0'}},'Status':{'State':'running'}}"), io.jswarm.api.types.Task.class),
        Json.mapper().convertValue(json("{'ID':'b','Slot':2,'DesiredState':'running','Spec':{'ContainerSpec':"
            + "{'Image':'nginx:1','Env':['A=1','B=2']}},'Status':{'State':'running','ContainerStatus':"
            + "{'Health':'starting'}}}"), io.jswarm.api.types.Task.class));
    ServiceConvergence.Progress p = ServiceConvergence.progress(s, tasks);
    assertEquals(0, p.running());
    assertEquals("1/2: new       [=====>                                             ]",
        ServiceConvergence.render(p.lines().get(0)));
    assertEquals("2/2: starting  [============================================>      ]",
        ServiceConvergence.render(p.lines().get(1)));
  }

  @Test
  void lsShowsAnUnfinishedUpdateAndPrettyInspectTheConfigs() {
    Service s = Json.mapper().convertValue(json(web(",'UpdateStatus':{'State':'paused','Message':'m'}")),
        Service.class);
    s.spec.updateConfig = new io.jswarm.api.types.UpdateConfig();
    s.spec.updateConfig.order = "start-first";
    s.spec.updateConfig.delay = 10_000_000_000L;
    assertEquals("0/0 (paused)", ServiceListing.rows(Json.mapper().valueToTree(List.of(s))).get(0).replicas());
    String pretty = PrettyInspect.service(Json.mapper().valueToTree(s), java.util.Map.of());
    assertTrue(pretty.contains("UpdateStatus:\n State:\t\tpaused\n"), pretty);
    assertTrue(pretty.contains("UpdateConfig:\n Parallelism:\t1\n Delay:\t\t10s\n On failure:\tpause\n"
        + " Monitoring Period: 5s\n Max failure ratio: 0\n Update order:    start-first\n"), pretty);
    io.jswarm.api.types.ContainerSpec.SecretReference r = new io.jswarm.api.types.ContainerSpec.SecretReference();
    r.secretName = "db_password";
    r.file = new io.jswarm.api.types.ContainerSpec.FileTarget();
    r.file.name = "db";
    s.spec.taskTemplate.containerSpec.secrets = List.of(r);
    pretty = PrettyInspect.service(Json.mapper().valueToTree(s), java.util.Map.of());
    assertTrue(pretty.contains("Secrets:\n Target:\tdb\n  Source:\tdb_password\n"), pretty);
  }

  private static JsonNode json(String s) {
    try {
      return Json.mapper().readTree(s.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
