package io.jswarm.api.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

class DispatcherMessagesTest {
  private static JsonNode tree(String json) throws Exception {
    return Json.mapper().readTree(json);
  }

  @Test
  void sessionMessageUsesTheProtocolNames() throws Exception {
    String json = Json.toString(DispatcherMessage.session("s1", 5_000_000_000L,
        List.of(new DispatcherMessage.Manager("m1", "10.0.0.1:2377")), null));
    assertEquals(tree("{\"Type\":\"session\",\"SessionID\":\"s1\",\"HeartbeatPeriod\":5000000000,"
        + "\"Managers\":[{\"NodeID\":\"m1\",\"Addr\":\"10.0.0.1:2377\"}]}"), tree(json));
  }

  @Test
  void assignmentsAndRedirectsRoundTrip() {
    Task t = new Task();
    t.id = "t1";
    t.desiredState = TaskState.RUNNING;
    DispatcherMessage in = DispatcherMessage.incrementalAssignments(List.of(t), List.of("t0"));
    DispatcherMessage out = Json.fromString(Json.toString(in), DispatcherMessage.class);
    assertEquals(DispatcherMessage.ASSIGNMENTS, out.type);
    assertEquals(false, out.isFull());
    assertEquals("t1", out.tasks.get(0).id);
    assertEquals(List.of("t0"), out.removed);
    assertEquals("{\"Type\":\"redirect\",\"LeaderAddr\":\"10.0.0.2:2377\"}",
        Json.toString(DispatcherMessage.redirect("10.0.0.2:2377")));
  }

  @Test
  void statusReportNamesTheTask() {
    StatusRequest r = new StatusRequest();
    r.sessionId = "s1";
    Task.TaskStatus st = new Task.TaskStatus();
    st.state = TaskState.RUNNING;
    r.updates.add(new StatusRequest.Update("t1", st));
    String json = Json.toString(r);
    assertTrue(json.contains("\"SessionID\":\"s1\"") && json.contains("\"TaskID\":\"t1\"")
        && json.contains("\"State\":\"running\""), json);
    assertEquals("{\"SessionID\":\"s1\"}", Json.toString(new HeartbeatRequest("s1")));
    assertEquals(7L, Json.fromString("{\"Period\":7}", HeartbeatResponse.class).period);
  }
}
