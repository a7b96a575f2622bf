package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceConvergenceTest {
  private static final String SERVICE = "{'ID':'s1','Version':{'Index':1},'Spec':{'Name':'web',"
      + "'Mode':{'Replicated':{'Replicas':2}}}}";
  private static final String TASKS = "/tasks?filters={\"service\":[\"s1\"]}";

  private static String task(String id, int slot, String desired, String state, String err) {
    return "{'ID':'" + id + "','ServiceID':'s1','Slot':" + slot + ",'DesiredState':'" + desired + "',"
        + "'Status':{'State':'" + state + "'" + (err == null ? "" : ",'Err':'" + err + "'") + "}}";
  }

  @Test
  void printsProgressUntilAllReplicasRun() throws Exception {
    try (FakeDaemon d = new FakeDaemon(); ApiClient api = new ApiClient(DaemonAddress.parse(d.address()))) {
      d.on("GET", "/services/s1", SERVICE);
      List<String> polls = new ArrayList<>(List.of(
          "[" + task("a", 1, "running", "pending", null) + "]",
          "[" + task("a", 1, "running", "running", null) + "," + task("b", 2, "running", "pending", null) + "]",
          "[" + task("a", 1, "running", "running", null) + "," + task("b", 2, "shutdown", "failed", "exit 1") + ","
              + task("c", 2, "running", "starting", null) + "]",
          "[" + task("a", 1, "running", "running", null) + "," + task("b", 2, "shutdown", "failed", "exit 1") + ","
              + task("c", 2, "running", "running", null) + "]"));
      d.on("GET", TASKS, polls.remove(0));
      List<Duration> slept = new ArrayList<>();
      StringWriter out = new StringWriter();
      ServiceConvergence.await(api, "s1", new PrintWriter(out, true), t -> {
        slept.add(t);
        d.on("GET", TASKS, polls.remove(0));
      });
      assertEquals("overall progress: 0 out of 2 tasks\n"
          + "1/2: pending   [================>                                  ]\n"
          + "2/2: new       [=====>                                             ]\n"
          + "overall progress: 1 out of 2 tasks\n"
          + "1/2: running   [==================================================>]\n"
          + "2/2: pending   [================>                                  ]\n"
          + "2: exit 1\n"
          + "2/2: starting  [============================================>      ]\n"
          + "overall progress: 2 out of 2 tasks\n"
          + "2/2: running   [==================================================>]\n"
          + "verify: Service converged\n", out.toString());
      assertEquals(3, slept.size());
    }
  }

  @Test
  void aPausedUpdateIsAnError() throws Exception {
    try (FakeDaemon d = new FakeDaemon(); ApiClient api = new ApiClient(DaemonAddress.parse(d.address()))) {
      d.on("GET", "/services/s1", SERVICE.replace("}}}}", "}}},'UpdateStatus':{'State':'paused',"
          + "'Message':'update paused due to failure'}}"));
      d.on("GET", TASKS, "[]");
      UsageException e = assertThrows(UsageException.class,
          () -> ServiceConvergence.await(api, "s1", new PrintWriter(new StringWriter()), t -> { }));
      assertTrue(e.getMessage().contains("update paused due to failure"), e.getMessage());
    }
  }
}
