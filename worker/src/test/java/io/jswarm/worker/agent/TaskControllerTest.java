package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskControllerTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private static final Object changed = new Object();
  private final List<Task.TaskStatus> reports = new CopyOnWriteArrayList<>();
  private final ScriptedRuntime runtime = new ScriptedRuntime();

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
  }

  /** A runtime the test drives: failures on demand, exit when the test says. */
  static final class ScriptedRuntime implements TaskRuntime {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CompletableFuture<Exit> exit = new CompletableFuture<>();
    volatile Exception prepareFails;
    volatile Exception startFails;
    volatile boolean adopted;
    volatile String health;
    volatile List<String> warnings = List.of();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public boolean adopted() {
      return adopted;
    }

    @Override
    public String health() {
      return health;
    }

    @Override
    public void onChange(Runnable listener) {
      listeners.add(listener);
    }

    void setHealth(String h) {
      health = h;
      listeners.forEach(Runnable::run);
    }

    @Override
    public void prepare() throws Exception {
      calls.add("prepare");
      if (prepareFails != null) {
        throw prepareFails;
      }
    }

    @Override
    public void start() throws Exception {
      calls.add("start");
      if (startFails != null) {
        throw startFails;
      }
    }

    @Override
    public CompletableFuture<Exit> exit() {
      return exit;
    }

    @Override
    public void shutdown(Duration grace) {
      calls.add("shutdown " + grace.toSeconds() + "s");
      exit.complete(new Exit(143, false, null));
    }

    @Override
    public void remove() {
      calls.add("remove");
      signal();
    }

    @Override
    public String containerId() {
      return "c1";
    }

    @Override
    public List<String> warnings() {
      return warnings;
    }
  }

  private TaskController controller(Task t) {
    return controller(t, TaskController.DEFAULT_DRAIN);
  }

  private TaskController controller(Task t, Duration drain) {
    Executor ex = new Executor() {
      @Override
      public TaskRuntime runtime(Task task) {
        return runtime;
      }

      @Override
      public void close() {}
    };
    TaskController c = new TaskController(t, ex, pool, CLOCK, (id, s) -> {
      reports.add(s);
      signal();
    }, drain);
    c.start();
    return c;
  }

  /** Waits up to 5 s for {@code cond}, woken by every report and runtime call. */
  private void await(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    synchronized (changed) {
      while (!cond.getAsBoolean()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; reports " + states());
        }
        changed.wait(left);
      }
    }
  }

  private static void signal() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  private void awaitState(TaskState s) throws InterruptedException {
    await(s.json(), () -> !reports.isEmpty() && reports.get(reports.size() - 1).state == s);
  }

  private List<String> states() {
    List<String> out = new ArrayList<>();
    reports.forEach(r -> out.add(r.state.json() + ":" + r.message));
    return out;
  }

  @Test
  void runsThroughEveryStateWithDockersMessages() throws Exception {
    TaskController c = controller(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.RUNNING);
    assertEquals(List.of("accepted:accepted", "preparing:preparing", "ready:prepared", "starting:starting",
        "running:started"), states());
    assertEquals("2026-01-01T00:00:00Z", reports.get(0).timestamp);
    assertEquals("c1", reports.get(4).containerStatus.containerId);
    runtime.exit.complete(new TaskRuntime.Exit(0, false, null));
    awaitState(TaskState.COMPLETE);
    assertEquals("finished", c.status().message);
    assertEquals(0L, c.status().containerStatus.exitCode);
  }

  @Test
  void aSettingTheNodeDiscardedIsNamedInTheStatusMessageOnceThePrepareKnowsIt() throws Exception {
    runtime.warnings = List.of("Resources.Limits.BlkioWeight 300 discarded: no bfq");
    controller(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.RUNNING);
    String w = " (warning: Resources.Limits.BlkioWeight 300 discarded: no bfq)";
    assertEquals(List.of("accepted:accepted", "preparing:preparing", "ready:prepared" + w, "starting:starting" + w,
        "running:started" + w), states());
  }

  @Test
  void aRunningTaskWhoseContainerSurvivedAnAgentRestartIsAdopted() throws Exception {
    runtime.adopted = true;
    Task t = AgentTest.task("t", TaskState.RUNNING);
    t.status.state = TaskState.RUNNING;
    controller(t);
    awaitState(TaskState.RUNNING);
    assertEquals(List.of("running:started"), states(), "reported again: the container was adopted");
    assertEquals(List.of(), runtime.calls, "an adopted container is neither prepared nor started again");
    runtime.exit.complete(new TaskRuntime.Exit(3, false, null));
    awaitState(TaskState.FAILED);
    assertEquals("task: non-zero exit (3)", reports.get(reports.size() - 1).err);
  }

  @Test
  void aRunningTaskWithoutItsContainerAfterARestartFails() throws Exception {
    Task t = AgentTest.task("t", TaskState.RUNNING);
    t.status.state = TaskState.RUNNING;
    controller(t);
    awaitState(TaskState.FAILED);
    assertEquals("the task's runtime was lost when the agent restarted", reports.get(reports.size() - 1).err);
    assertEquals(List.of("remove"), runtime.calls, "whatever the executor holds of it is removed before it fails");
  }

  @Test
  void aStartingTaskWithoutAnAdoptableContainerAfterARestartIsCleanedUpAndFails() throws Exception {
    Task t = AgentTest.task("t", TaskState.RUNNING);
    t.status.state = TaskState.STARTING;
    controller(t);
    awaitState(TaskState.FAILED);
    assertEquals("the task's runtime was lost when the agent restarted", reports.get(reports.size() - 1).err);
    assertEquals(List.of("remove"), runtime.calls, "a container started but never recorded does not run on");
  }

  @Test
  void healthChangesAreReportedAndAnUnhealthyExitFails() throws Exception {
    runtime.health = "starting";
    controller(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.RUNNING);
    assertEquals("starting", reports.get(reports.size() - 1).containerStatus.health);
    runtime.setHealth("healthy");
    await("healthy", () -> "healthy".equals(reports.get(reports.size() - 1).containerStatus.health));
    assertEquals(TaskState.RUNNING, reports.get(reports.size() - 1).state);
    runtime.setHealth("unhealthy");
    runtime.exit.complete(new TaskRuntime.Exit(143, false, "container unhealthy"));
    awaitState(TaskState.FAILED);
    assertEquals("container unhealthy", reports.get(reports.size() - 1).err);
  }

  @Test
  void prepareFailureRejectsAndStartFailureFails() throws Exception {
    runtime.prepareFails = new Exception("pull access denied for nosuchimage");
    controller(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.REJECTED);
    assertEquals("pull access denied for nosuchimage", reports.get(reports.size() - 1).err);

    reports.clear();
    runtime.prepareFails = null;
    runtime.startFails = new Exception("exec: \"nosuch\": executable file not found");
    controller(AgentTest.task("t2", TaskState.RUNNING));
    awaitState(TaskState.FAILED);
    assertEquals("starting", reports.get(reports.size() - 1).message);
  }

  @Test
  void oomKillIsAFailure() throws Exception {
    controller(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.RUNNING);
    runtime.exit.complete(new TaskRuntime.Exit(137, true, null));
    awaitState(TaskState.FAILED);
    assertEquals("task: non-zero exit (137): OOM killed", reports.get(reports.size() - 1).err);
  }

  @Test
  void desiredShutdownStopsWithTheGracePeriodAndReportsShutdown() throws Exception {
    Task t = AgentTest.task("t", TaskState.RUNNING);
    TaskController c = controller(t);
    awaitState(TaskState.RUNNING);
    Task stop = AgentTest.task("t", TaskState.SHUTDOWN);
    stop.spec.containerSpec.stopGracePeriod = Duration.ofSeconds(3).toNanos();
    c.update(stop);
    awaitState(TaskState.SHUTDOWN);
    assertEquals(List.of("prepare", "start", "shutdown 3s"), runtime.calls);
    c.remove();
    await("remove", () -> runtime.calls.contains("remove"));
    assertEquals(List.of("prepare", "start", "shutdown 3s", "remove"), runtime.calls);
    assertEquals(TaskState.SHUTDOWN, reports.get(reports.size() - 1).state, "nothing reported after removal");
  }

  @Test
  void aNetworkedTaskKeepsRunningForTheDrainDelayBeforeItsStopSignal() throws Exception {
    Task t = AgentTest.task("t", TaskState.RUNNING);
    t.networksAttachments = List.of(new io.jswarm.api.types.NetworkAttachment());
    TaskController c = controller(t, Duration.ofMillis(600));
    awaitState(TaskState.RUNNING);
    Task stop = AgentTest.task("t", TaskState.SHUTDOWN);
    stop.networksAttachments = t.networksAttachments;
    long t0 = System.nanoTime();
    c.update(stop);
    awaitState(TaskState.SHUTDOWN);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms >= 600, "stopped after " + ms + " ms, before the 600 ms drain");
    assertEquals(List.of("prepare", "start", "shutdown 10s"), runtime.calls);
  }

  @Test
  void aTaskWithoutNetworksStopsWithoutDrain() throws Exception {
    TaskController c = controller(AgentTest.task("t", TaskState.RUNNING), Duration.ofSeconds(30));
    awaitState(TaskState.RUNNING);
    c.update(AgentTest.task("t", TaskState.SHUTDOWN));
    awaitState(TaskState.SHUTDOWN); // within the 5 s of awaitState, so not after the 30 s drain
  }

  @Test
  void aTaskDesiredReadyWaitsThereUntilAskedToRun() throws Exception {
    TaskController c = controller(AgentTest.task("t", TaskState.READY));
    awaitState(TaskState.READY);
    assertEquals(List.of("prepare"), runtime.calls);
    c.update(AgentTest.task("t", TaskState.RUNNING));
    awaitState(TaskState.RUNNING);
  }
}
