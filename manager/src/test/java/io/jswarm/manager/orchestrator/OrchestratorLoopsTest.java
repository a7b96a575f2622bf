package io.jswarm.manager.orchestrator;

import static io.jswarm.manager.orchestrator.Cluster.restart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event loops as the daemon runs them: started, driven only by store changes, stopped. */
class OrchestratorLoopsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final Cluster c = new Cluster();

  @AfterEach
  void close() {
    c.close();
    assertTrue(loopThreads().isEmpty(), "loop threads left: " + loopThreads());
  }

  private static Set<String> loopThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("orchestrator-")).collect(Collectors.toSet());
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    c.await(TIMEOUT, what, condition);
  }

  @Test
  void loopsFollowTheStoreUntilStopped() throws InterruptedException {
    c.node("n1");
    Service before = c.replicated("early", 2);
    c.orchestrators.start();
    assertTrue(c.orchestrators.isRunning());
    await("tasks of a service created before start", () -> c.runnable(before.id).size() == 2);

    Service web = c.replicated("web", 3, restart("any", Duration.ZERO, 0, null));
    await("three web tasks", () -> c.runnable(web.id).size() == 3);

    c.updateService(web.id, spec -> spec.mode.replicated.replicas = 1L);
    await("scale down to one, removed tasks reaped", () -> c.tasks(web.id).size() == 1);
    assertEquals(1L, c.tasks(web.id).get(0).slot);

    Service agent = c.global("agent", t -> {});
    await("a global task on n1", () -> c.runnable(agent.id).size() == 1);
    c.node("n2");
    await("a global task on the new node", () -> c.runnable(agent.id).size() == 2);

    Task t = c.runnableIn(web.id, 1);
    c.assign(t.id, "n1");
    c.report(t.id, TaskState.RUNNING);
    c.report(t.id, TaskState.FAILED, 1L);
    await("a restart in slot 1", () -> {
      Task r = c.runnableIn(web.id, 1);
      return r != null && !r.id.equals(t.id);
    });

    c.deleteService(before.id);
    await("a removed service's tasks reaped", () -> c.tasks(before.id).isEmpty());

    c.orchestrators.stop();
    assertFalse(c.orchestrators.isRunning());
    assertTrue(loopThreads().isEmpty());
  }

  @Test
  void aDelayedRestartFiresWhenTheClockPassesIt() throws InterruptedException {
    c.node("n1");
    Service s = c.replicated("web", 1, restart("any", Duration.ofSeconds(30), 0, null));
    c.orchestrators.start();
    await("one task", () -> c.runnable(s.id).size() == 1);
    Task t = c.runnableIn(s.id, 1);
    c.assign(t.id, "n1");
    c.report(t.id, TaskState.RUNNING);
    c.report(t.id, TaskState.FAILED, 1L);
    await("the restart is scheduled", () -> c.orchestrators.restarts().pendingCount() == 1);
    assertTrue(c.runnable(s.id).isEmpty());

    c.clock.advance(Duration.ofSeconds(30));
    await("the replacement after the delay", () -> c.runnable(s.id).size() == 1);
  }

  @Test
  void stopAndStartAgainReconcilesWhatChangedMeanwhile() throws InterruptedException {
    Service s = c.replicated("web", 2);
    c.orchestrators.start();
    await("two tasks", () -> c.runnable(s.id).size() == 2);
    c.orchestrators.stop();
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 4L);
    c.orchestrators.start();
    await("four tasks after the new start", () -> c.runnable(s.id).size() == 4);
    assertEquals(List.of(1L, 2L, 3L, 4L), c.runnable(s.id).stream().map(x -> x.slot).sorted().toList());
  }
}
