package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecTemplatesTest {
  private static Task task(ContainerSpec c) {
    Task t = new Task();
    t.id = "t1";
    t.name = "web.3";
    t.serviceId = "s1";
    t.nodeId = "n1";
    t.slot = 3L;
    t.labels = Map.of("tier", "front");
    t.spec = new TaskSpec();
    t.spec.containerSpec = c;
    return t;
  }

  private static Node node() {
    Node n = new Node();
    n.description = new Node.Description();
    n.description.hostname = "host-a";
    n.description.platform = new Platform();
    n.description.platform.os = "linux";
    n.description.platform.architecture = "x86_64";
    return n;
  }

  @Test
  void hostnameEnvAndMountsAreExpanded() {
    ContainerSpec c = new ContainerSpec();
    c.hostname = "{{.Node.Hostname}}-{{.Task.Slot}}";
    c.env = List.of("SVC={{.Service.Name}}", "TASK={{ .Task.Name }}", "TIER={{.Service.Labels.tier}}",
        "OS={{.Node.Platform.OS}}/{{.Node.Platform.Architecture}}", "PLAIN=1");
    Mount m = new Mount();
    m.type = "volume";
    m.source = "data-{{.Task.Slot}}";
    m.target = "/data";
    c.mounts = List.of(m);
    Task t = task(c);
    Task e = SpecTemplates.expand(t, node());
    assertEquals("host-a-3", e.spec.containerSpec.hostname);
    assertEquals(List.of("SVC=web", "TASK=web.3.t1", "TIER=front", "OS=linux/x86_64", "PLAIN=1"),
        e.spec.containerSpec.env);
    assertEquals("data-3", e.spec.containerSpec.mounts.get(0).source);
    assertEquals("{{.Node.Hostname}}-{{.Task.Slot}}", t.spec.containerSpec.hostname, "the assigned task is unchanged");
  }

  @Test
  void aGlobalTasksSlotIsItsNodeAndATaskWithoutTemplatesIsTheSame() {
    ContainerSpec c = new ContainerSpec();
    c.hostname = "x-{{.Task.Slot}}";
    Task t = task(c);
    t.slot = null;
    assertEquals("x-n1", SpecTemplates.expand(t, node()).spec.containerSpec.hostname);
    ContainerSpec plain = new ContainerSpec();
    plain.hostname = "fixed";
    Task p = task(plain);
    assertSame(p, SpecTemplates.expand(p, node()));
  }

  @Test
  void anUnknownFieldIsAnErrorNamingIt() {
    ContainerSpec c = new ContainerSpec();
    c.env = List.of("X={{.Node.Colour}}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SpecTemplates.expand(task(c), node()));
    assertTrue(e.getMessage().contains(".Node.Colour") && e.getMessage().contains("Env"), e.getMessage());
  }
}
