package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.json.Json;
import io.jswarm.api.listing.TaskRow;
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
  void taskTableMarksOlderTasksOfASlot() {
    List<TaskListing.Row> rows = List.of(
        new TaskListing.Row(new TaskRow("t-new-012345", "web.1", false, "nginx:1", "host-2", "Running",
            "Running 5 seconds ago", "", "*:8080->80/tcp")),
        new TaskListing.Row(new TaskRow("t-old-012345", "web.1", true, "nginx:1", "host-1", "Shutdown",
            "Failed about a minute ago", "\"task: non-zero exit (1): some…\"", "")),
        new TaskListing.Row(new TaskRow("t-2", "web.2", false, "nginx:1", "", "Running", "Pending less than a second ago",
            "", "")));
    assertEquals(
        "ID             NAME        IMAGE     NODE      DESIRED STATE   CURRENT STATE                    ERROR                              PORTS\n"
            + "t-new-012345   web.1       nginx:1   host-2    Running         Running 5 seconds ago                                               *:8080->80/tcp\n"
            + "t-old-012345    \\_ web.1   nginx:1   host-1    Shutdown        Failed about a minute ago        \"task: non-zero exit (1): some…\"   \n"
            + "t-2            web.2       nginx:1             Running         Pending less than a second ago                                      \n",
        TaskListing.table(rows));
    assertEquals("{CurrentState=Running 5 seconds ago, DesiredState=Running, Error=, ID=t-new-012345, Image=nginx:1, "
        + "Name=web.1, Node=host-2, Ports=*:8080->80/tcp}", rows.get(0).json().toString());
  }

  @Test
  void inspectIsIndentedLikeDocker() {
    assertEquals("[\n    {\n        \"ID\": \"x\",\n        \"Labels\": {},\n        \"Ports\": []\n    }\n]\n",
        JsonOutput.inspect(List.of(Json.mapper().createObjectNode().put("ID", "x")
            .<com.fasterxml.jackson.databind.node.ObjectNode>set("Labels", Json.mapper().createObjectNode())
            .set("Ports", Json.mapper().createArrayNode()))));
  }
}
