package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.Version;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@link CurrentTemplate}: a verdict holds while the task's spec objects are the ones it was made from. */
class CurrentTemplateTest {
  private static TaskSpec spec(String image) {
    TaskSpec s = new TaskSpec();
    s.containerSpec = new ContainerSpec();
    s.containerSpec.image = image;
    return s;
  }

  private static Task task(TaskSpec spec, long version) {
    Task t = new Task();
    t.id = "t1";
    t.spec = spec;
    t.version = new Version(version);
    return t;
  }

  @Test
  void aVerdictHoldsAcrossVersionsWhileTheSpecIsTheSameObject() {
    Service s = new Service();
    s.id = "s1";
    s.spec = new Service.ServiceSpec();
    s.spec.taskTemplate = spec("nginx:1");
    CurrentTemplate current = new CurrentTemplate();
    JsonNode template = current.of(s);
    TaskSpec stored = spec("nginx:1");
    assertEquals(true, current.matches(task(stored, 5), template));

    // A status move (a patch, or a copy with its own status) keeps the spec object: the verdict is kept. Changing
    // the object in place, which the store never does, shows that it was not computed again.
    stored.containerSpec.image = "nginx:2";
    assertEquals(true, current.matches(task(stored, 6), template));

    // A row decoded anew (a whole-row write) has other spec objects: computed again.
    assertEquals(false, current.matches(task(Json.copy(stored), 7), template));
    assertEquals(true, current.matches(task(spec("nginx:1"), 8), template));

    // A new template (the service's spec changed): computed again.
    TaskSpec same = spec("nginx:1");
    assertEquals(true, current.matches(task(same, 9), template));
    s.spec.taskTemplate = spec("nginx:3");
    JsonNode next = current.of(s);
    assertEquals(false, current.matches(task(same, 9), next));
  }
}
