package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.types.Base64Data;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets and configs reach a node only when a task assigned to it references them, before that task; they are
 * withdrawn once no task of the node that has not ended needs them.
 */
class DispatcherDependenciesTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void secret(String id, String name, String data) {
    h.store.update(tx -> {
      Secret s = new Secret();
      s.id = id;
      s.spec = new Secret.Spec();
      s.spec.name = name;
      s.spec.data = Base64Data.encode(data.getBytes(StandardCharsets.UTF_8));
      return tx.secrets().create(s);
    });
  }

  private void config(String id, String name) {
    h.store.update(tx -> {
      Config c = new Config();
      c.id = id;
      c.spec = new Config.Spec();
      c.spec.name = name;
      c.spec.data = Base64Data.encode(name.getBytes(StandardCharsets.UTF_8));
      return tx.configs().create(c);
    });
  }

  /** A task of node {@code nodeId} in {@code state} referencing secrets {@code secretIds} and config {@code configId}. */
  private void task(String id, String nodeId, TaskState state, List<String> secretIds, String configId) {
    h.addTask(id, nodeId, state);
    h.editTask(id, t -> {
      t.spec = new TaskSpec();
      t.spec.containerSpec = new ContainerSpec();
      t.spec.containerSpec.image = "busybox";
      t.spec.containerSpec.secrets = new ArrayList<>();
      for (String s : secretIds) {
        ContainerSpec.SecretReference r = new ContainerSpec.SecretReference();
        r.secretId = s;
        r.secretName = s + "-name";
        r.file = new ContainerSpec.FileTarget();
        r.file.name = s;
        t.spec.containerSpec.secrets.add(r);
      }
      if (configId != null) {
        ContainerSpec.ConfigReference r = new ContainerSpec.ConfigReference();
        r.configId = configId;
        r.configName = configId + "-name";
        r.file = new ContainerSpec.FileTarget();
        r.file.name = "/" + configId;
        t.spec.containerSpec.configs = new ArrayList<>(List.of(r));
      }
    });
  }

  private static List<String> secretIds(DispatcherMessage m) {
    return m.secrets.stream().map(s -> s.id).sorted().toList();
  }

  @Test
  void aNodeGetsOnlyWhatItsOwnTasksReferenceBeforeTheTasksAndLosesItWhenTheyEnd() throws Exception {
    h.addNode("n1", "ready");
    h.addNode("n2", "ready");
    h.addNode("n3", "ready");
    secret("s1", "db_password", "marker-s1");
    secret("s2", "api_key", "marker-s2");
    config("c1", "site.conf");
    task("t1", "n1", TaskState.RUNNING, List.of("s1"), "c1");
    task("t2", "n2", TaskState.RUNNING, List.of("s2"), null);
    task("t3", "n3", TaskState.PENDING, List.of("s1"), null); // not on its node yet: n3 gets nothing
    h.dispatcher.start();

    FakeSink s1 = h.open("n1", "192.168.50.1:2377");
    FakeSink s2 = h.open("n2", "192.168.50.2:2377");
    FakeSink s3 = h.open("n3", "192.168.50.3:2377");
    DispatcherMessage d1 = s1.nextDependencies();
    assertTrue(d1.isFull());
    assertEquals(List.of("s1"), secretIds(d1));
    assertEquals("marker-s1", new String(Base64Data.decode(d1.secrets.get(0).spec.data), StandardCharsets.UTF_8));
    assertEquals(List.of("c1"), d1.configs.stream().map(c -> c.id).toList());
    assertEquals(List.of("s2"), secretIds(s2.nextDependencies()));
    DispatcherMessage d3 = s3.nextDependencies();
    assertTrue(d3.isFull());
    assertTrue(d3.secrets.isEmpty() && d3.configs.isEmpty(), "n3 runs no task that uses a secret yet");
    s1.next(); // session
    assertEquals(DispatcherMessage.ASSIGNMENTS, s1.next().type);
    assertTrue(s1.types.indexOf(DispatcherMessage.DEPENDENCIES) < s1.types.indexOf(DispatcherMessage.ASSIGNMENTS),
        "secrets come before the tasks that need them: " + s1.types);

    // t3 is assigned to n3: n3 gets s1 (only), before the assignment.
    s3.next();
    s3.next();
    h.editTask("t3", t -> t.status.state = TaskState.ASSIGNED);
    DispatcherMessage add = s3.nextDependencies();
    assertFalse(add.isFull());
    assertEquals(List.of("s1"), secretIds(add));
    DispatcherMessage assigned = s3.next();
    assertEquals(List.of("t3"), assigned.tasks.stream().map(t -> t.id).toList());
    int before = s3.types.size();
    assertEquals(DispatcherMessage.DEPENDENCIES, s3.types.get(before - 2), s3.types.toString());

    // Status echoes of a running task change nothing.
    h.editTask("t3", t -> t.status.state = TaskState.RUNNING);
    Thread.sleep(200);
    assertEquals(0, s3.pendingDependencies());

    // t3 ends: s1 is withdrawn from n3, n1 keeps its own.
    h.editTask("t3", t -> t.status.state = TaskState.COMPLETE);
    DispatcherMessage rm = s3.nextDependencies();
    assertEquals(List.of("s1"), rm.removedSecrets);
    assertTrue(rm.secrets.isEmpty());
    // t1 removed from the store (service rm and the reaper): n1 loses s1 and c1.
    h.store.update(tx -> {
      tx.tasks().delete("t1");
      return null;
    });
    DispatcherMessage rm1 = s1.nextDependencies();
    assertEquals(List.of("s1"), rm1.removedSecrets);
    assertEquals(List.of("c1"), rm1.removedConfigs);
    assertEquals(0, s2.pendingDependencies(), "n2 is told nothing about other nodes' secrets");
    for (String type : s2.types) {
      assertTrue(!type.equals(DispatcherMessage.DEPENDENCIES) || s2.types.indexOf(type) == s2.types.lastIndexOf(type),
          "n2 got one dependencies message only: " + s2.types);
    }
  }

  @Test
  void twoTasksOfANodeShareASecretUntilTheLastEnds() throws Exception {
    h.addNode("n1", "ready");
    secret("s1", "db_password", "x");
    task("a", "n1", TaskState.RUNNING, List.of("s1"), null);
    task("b", "n1", TaskState.RUNNING, List.of("s1"), null);
    h.dispatcher.start();
    FakeSink s = h.open("n1", "192.168.50.1:2377");
    assertEquals(List.of("s1"), secretIds(s.nextDependencies()));
    h.editTask("a", t -> t.status.state = TaskState.SHUTDOWN);
    Thread.sleep(200);
    assertEquals(0, s.pendingDependencies(), "b still needs s1");
    h.editTask("b", t -> t.status.state = TaskState.FAILED);
    assertEquals(List.of("s1"), s.nextDependencies().removedSecrets);

    // A reconnecting agent gets a full (empty) set: it drops whatever an earlier session gave it.
    FakeSink again = h.open("n1", "192.168.50.1:2377");
    DispatcherMessage full = again.nextDependencies();
    assertTrue(full.isFull());
    assertTrue(full.secrets.isEmpty());
  }
}
