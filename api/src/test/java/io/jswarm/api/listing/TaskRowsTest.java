package io.jswarm.api.listing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A task list's rows as the docker CLI shows them: names, order, states, times, errors and ports. */
class TaskRowsTest {
  private static <T> T json(String s, Class<T> type) {
    return Json.fromString(s.replace('\'', '"'), type);
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
    List<TaskRow> rows = TaskRows.rows(tasks, Map.of("s1", "web"), Map.of("n1", "host-1", "n2", "host-2"),
        now, true);
    assertEquals(List.of(
        new TaskRow("t-new-012345", "web.1", false, "nginx:1", "host-2", "Running", "Running 5 seconds ago", "",
            "*:8080->80/tcp"),
        new TaskRow("t-old-012345", "web.1", true, "nginx:1", "host-1", "Shutdown", "Failed about a minute ago",
            "\"task: non-zero exit (1): some…\"", ""),
        new TaskRow("t-2", "web.2", false, "nginx:1", "", "Running", "Pending less than a second ago", "", ""),
        new TaskRow("t-10", "web.10", false, "nginx:1", "gone", "Running", "Pending about a minute ago", "", "")), rows);
    TaskRow full = TaskRows.rows(tasks, Map.of(), Map.of(), now, false).get(0);
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
        TaskRows.rows(List.of(t), Map.of(), Map.of(), now, true).get(0).currentState());
  }

  @Test
  void globalTasksAreNamedByNode() {
    Task t = json("{'ID':'t','ServiceID':'s','NodeID':'node9','DesiredState':'running','Status':{'State':'running'}}",
        Task.class);
    assertEquals("agent.node9", TaskRows.rows(List.of(t), Map.of("s", "agent"), Map.of(), Instant.now(), true)
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
  void theRowsGoOutWithDockersFieldNames() {
    TaskRow r = new TaskRow("t1", "web.1", true, "nginx:1", "n", "Running", "Running 5 seconds ago", "", "");
    assertEquals("{\"ID\":\"t1\",\"Name\":\"web.1\",\"Previous\":true,\"Image\":\"nginx:1\",\"Node\":\"n\","
        + "\"DesiredState\":\"Running\",\"CurrentState\":\"Running 5 seconds ago\",\"Error\":\"\",\"Ports\":\"\"}",
        Json.toString(r));
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

}
