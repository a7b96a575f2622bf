package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tables and JSON lines with the docker CLI's columns, values, order and layout. */
class ListingTest {
  private static <T> T json(String s, Class<T> type) {
    return Json.fromString(s.replace('\'', '"'), type);
  }

  @Test
  void textTablePadsLikeTabwriter() {
    String t = new TextTable(List.of("ID", "NAME", "LAST")).row(List.of("abcdefghijkl", "x", "")).render();
    assertEquals("ID             NAME      LAST\nabcdefghijkl   x         \n", t);
  }

  @Test
  void naturalOrder() {
    List<String> names = new java.util.ArrayList<>(List.of("web.10", "web.2", "api.1", "web.1"));
    names.sort(NaturalOrder.INSTANCE);
    assertEquals(List.of("api.1", "web.1", "web.2", "web.10"), names);
    // digit runs as numbers whatever their leading zeros (equal ones keep their order), non-ASCII digits too (by code
    // when as long); other characters by code; shorter first
    List<String> mixed = new java.util.ArrayList<>(List.of("web.010", "web.9", "web.0009", "web.00", "web.0", "web",
        "web.\u0663", "web.\u0662", "web.1a", "web.1", "a10b2", "a10b10", "a9b99", "web.1.2", "web.10.1", "web.1.10",
        "Web.1", "web.-1", "web.99999999999999999999", "web.100000000000000000000"));
    mixed.sort(NaturalOrder.INSTANCE);
    assertEquals(List.of("Web.1", "a9b99", "a10b2", "a10b10", "web", "web.-1", "web.00", "web.0", "web.1", "web.1.2",
        "web.1.10", "web.1a", "web.9", "web.0009", "web.\u0662", "web.\u0663", "web.010", "web.10.1",
        "web.99999999999999999999", "web.100000000000000000000"), mixed);
    assertEquals(0, NaturalOrder.INSTANCE.compare("web.007", "web.7"));
    assertEquals(0, NaturalOrder.compare("x1".toCharArray(), "x01".toCharArray()));
  }

  @Test
  void nodeLs() {
    List<Node> nodes = List.of(
        json("{'ID':'n2','Description':{'Hostname':'worker-1','Engine':{'EngineVersion':'0.1.0'}},"
            + "'Spec':{'Availability':'drain','Role':'worker'},'Status':{'State':'down'}}", Node.class),
        json("{'ID':'n1','Description':{'Hostname':'manager-1','Engine':{'EngineVersion':'0.1.0'}},"
            + "'Spec':{'Availability':'active','Role':'manager'},'Status':{'State':'ready'},"
            + "'ManagerStatus':{'Leader':true,'Reachability':'reachable','Addr':'10.0.0.1:2377'}}", Node.class),
        json("{'ID':'n3','Description':{'Hostname':'manager-2'},'Spec':{'Availability':'active'},"
            + "'Status':{'State':'ready'},'ManagerStatus':{'Reachability':'unreachable'}}", Node.class));
    List<NodeListing.Row> rows = NodeListing.rows(Json.mapper().valueToTree(nodes), "n1", null);
    assertEquals(
        "ID        HOSTNAME    STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
            + "n1 *      manager-1   Ready     Active         Leader           0.1.0\n"
            + "n3        manager-2   Ready     Active         Unreachable      \n"
            + "n2        worker-1    Down      Drain                           0.1.0\n",
        NodeListing.table(rows));
    assertEquals("{\"Availability\":\"Active\",\"EngineVersion\":\"0.1.0\",\"Hostname\":\"manager-1\",\"ID\":\"n1\","
        + "\"ManagerStatus\":\"Leader\",\"Self\":true,\"Status\":\"Ready\",\"TLSStatus\":\"Unknown\"}\n",
        JsonOutput.lines(List.of(rows.get(0).json())));
  }

  @Test
  void serviceLs() {
    List<Service> services = List.of(
        json("{'ID':'abcdefghijklmnopqrstuvwxy','Spec':{'Name':'web','Mode':{'Replicated':{'Replicas':3}},"
            + "'TaskTemplate':{'ContainerSpec':{'Image':'docker.io/library/nginx:1.25@sha256:0123'}}},"
            + "'Endpoint':{'Ports':[{'Protocol':'tcp','TargetPort':81,'PublishedPort':8081,'PublishMode':'ingress'},"
            + "{'Protocol':'tcp','TargetPort':80,'PublishedPort':8080,'PublishMode':'ingress'},"
            + "{'Protocol':'udp','TargetPort':53,'PublishedPort':53,'PublishMode':'ingress'},"
            + "{'Protocol':'tcp','TargetPort':22,'PublishedPort':2222,'PublishMode':'host'}]},"
            + "'ServiceStatus':{'RunningTasks':2,'DesiredTasks':3}}", Service.class),
        json("{'ID':'zzz','Spec':{'Name':'agent','Mode':{'Global':{}},"
            + "'TaskTemplate':{'ContainerSpec':{'Image':'busybox'}}},'ServiceStatus':{'RunningTasks':1,'DesiredTasks':1}}",
            Service.class),
        json("{'ID':'yyy','Spec':{'Name':'capped','Mode':{'Replicated':{'Replicas':4}},"
            + "'TaskTemplate':{'ContainerSpec':{'Image':'busybox'},'Placement':{'MaxReplicas':2}}},"
            + "'ServiceStatus':{'RunningTasks':4,'DesiredTasks':4}}", Service.class));
    assertEquals(
        "ID             NAME      MODE         REPLICAS               IMAGE        PORTS\n"
            + "zzz            agent     global       1/1                    busybox      \n"
            + "yyy            capped    replicated   4/4 (max 2 per node)   busybox      \n"
            + "abcdefghijkl   web       replicated   2/3                    nginx:1.25   *:8080-8081->80-81/tcp, *:53->53/udp\n",
        ServiceListing.table(ServiceListing.rows(Json.mapper().valueToTree(services))));
  }

  @Test
  void servicePsGroupsSlotsNewestFirst() {
    Instant now = Instant.parse("2024-01-01T00:10:00Z");
    List<Task> tasks = List.of(
        json("{'ID':'t-old-0123456789','ServiceID':'s1','Slot':1,'NodeID':'n1','CreatedAt':'2024-01-01T00:00:00Z',"
            + "'Spec':{'ContainerSpec':{'Image':'nginx:1@sha256:00'}},'DesiredState':'shutdown',"
            + "'Status':{'State':'failed','Timestamp':'2024-01-01T00:09:00Z',"
            + "'Err':'task: non-zero exit (1): something went very wrong'}}", Task.class),
        json("{'ID':'t-new-0123456789','ServiceID':'s1','Slot':1,'NodeID':'n2','CreatedAt':'2024-01-01T00:09:01Z',"
            + "'Spec':{'ContainerSpec':{'Image':'nginx:1@sha256:00'}},'DesiredState':'running',"
            + "'Status':{'State':'running','Timestamp':'2024-01-01T00:09:55Z',"
            + "'PortStatus':{'Ports':[{'Protocol':'tcp','TargetPort':80,'PublishedPort':8080,'PublishMode':'host'}]}}}",
            Task.class),
        json("{'ID':'t-10','ServiceID':'s1','Slot':10,'NodeID':'gone','CreatedAt':'2024-01-01T00:00:00Z',"
            + "'Spec':{'ContainerSpec':{'Image':'nginx:1'}},'DesiredState':'running',"
            + "'Status':{'State':'pending','Timestamp':'2024-01-01T00:08:30Z'}}", Task.class),
        json("{'ID':'t-2','ServiceID':'s1','Slot':2,'CreatedAt':'2024-01-01T00:00:00Z',"
            + "'Spec':{'ContainerSpec':{'Image':'nginx:1'}},'DesiredState':'running',"
            + "'Status':{'State':'pending','Timestamp':'2024-01-01T00:09:59.5Z'}}", Task.class));
    List<TaskListing.Row> rows = TaskListing.rows(Json.mapper().valueToTree(tasks), Map.of("s1", "web"), Map.of("n1", "host-1", "n2", "host-2"),
        now, true);
    assertEquals(
        "ID             NAME        IMAGE     NODE      DESIRED STATE   CURRENT STATE                    ERROR                              PORTS\n"
            + "t-new-012345   web.1       nginx:1   host-2    Running         Running 5 seconds ago                                               *:8080->80/tcp\n"
            + "t-old-012345    \\_ web.1   nginx:1   host-1    Shutdown        Failed about a minute ago        \"task: non-zero exit (1): some…\"   \n"
            + "t-2            web.2       nginx:1             Running         Pending less than a second ago                                      \n"
            + "t-10           web.10      nginx:1   gone      Running         Pending about a minute ago                                          \n",
        TaskListing.table(rows));
    TaskListing.Row full = TaskListing.rows(Json.mapper().valueToTree(tasks), Map.of(), Map.of(), now, false).get(0);
    assertEquals("t-new-0123456789", full.id());
    assertEquals("s1.1", full.name());
    assertEquals("nginx:1@sha256:00", full.image());
  }

  @Test
  void currentStateShowsHealth() {
    Instant now = Instant.parse("2024-01-01T00:10:00Z");
    Task t = json("{'ID':'t','ServiceID':'s','Slot':1,'DesiredState':'running','Status':{'State':'running',"
        + "'Timestamp':'2024-01-01T00:09:55Z','ContainerStatus':{'Health':'unhealthy'}}}", Task.class);
    assertEquals("Running 5 seconds ago (unhealthy)",
        TaskListing.rows(Json.mapper().valueToTree(List.of(t)), Map.of(), Map.of(), now, true).get(0).currentState());
  }

  @Test
  void globalTasksAreNamedByNode() {
    Task t = json("{'ID':'t','ServiceID':'s','NodeID':'node9','DesiredState':'running','Status':{'State':'running'}}",
        Task.class);
    assertEquals("agent.node9", TaskListing.rows(Json.mapper().valueToTree(List.of(t)), Map.of("s", "agent"), Map.of(), Instant.now(), true)
        .get(0).name());
  }

  @Test
  void humanDurations() {
    assertEquals("Less than a second", HumanTime.duration(java.time.Duration.ofMillis(999)));
    assertEquals("1 second", HumanTime.duration(java.time.Duration.ofSeconds(1)));
    assertEquals("59 seconds", HumanTime.duration(java.time.Duration.ofSeconds(59)));
    assertEquals("About a minute", HumanTime.duration(java.time.Duration.ofSeconds(119)));
    assertEquals("59 minutes", HumanTime.duration(java.time.Duration.ofMinutes(59)));
    assertEquals("About an hour", HumanTime.duration(java.time.Duration.ofMinutes(89)));
    assertEquals("2 hours", HumanTime.duration(java.time.Duration.ofMinutes(91)));
    assertEquals("3 days", HumanTime.duration(java.time.Duration.ofDays(3)));
    assertEquals("2 weeks", HumanTime.duration(java.time.Duration.ofDays(15)));
  }

  @Test
  void inspectIsIndentedLikeDocker() {
    assertEquals("[\n    {\n        \"ID\": \"x\",\n        \"Labels\": {},\n        \"Ports\": []\n    }\n]\n",
        JsonOutput.inspect(List.of(Json.mapper().createObjectNode().put("ID", "x")
            .<com.fasterxml.jackson.databind.node.ObjectNode>set("Labels", Json.mapper().createObjectNode())
            .set("Ports", Json.mapper().createArrayNode()))));
  }
}
