package io.jswarm.manager.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EventMessage;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Store changes become Docker's swarm events through {@link ClusterEventSource}, with what changed on updates. */
class ClusterEventsTest {
  private MemoryStore store;
  private final EventBus bus = new EventBus();
  private ClusterEventSource source;

  @BeforeEach
  void start() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
        IdGenerator.fromRandom(new Random(3)));
    p.bind(store);
    source = new ClusterEventSource(() -> store, bus, Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    source.close();
    store.close();
  }

  private static Service service(String name, long replicas, String image) {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = name;
    s.spec.mode = ServiceMode.replicated(replicas);
    s.spec.taskTemplate = new TaskSpec();
    s.spec.taskTemplate.containerSpec = new ContainerSpec();
    s.spec.taskTemplate.containerSpec.image = image;
    s.createdAt = "2026-01-01T00:00:00Z";
    return s;
  }

  private List<EventMessage> next(EventBus.Subscription sub, int n) throws InterruptedException {
    List<EventMessage> got = new ArrayList<>();
    while (got.size() < n) {
      EventMessage m = sub.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        break;
      }
      got.add(m);
    }
    return got;
  }

  @Test
  void serviceCreateUpdateRemoveAreSwarmEventsWithWhatChanged() throws Exception {
    EventBus.Subscription sub = bus.subscribe(m -> true, 0, 0);
    Thread.sleep(2 * ClusterEventSource.RECHECK_MS); // the source has found the store
    Service s = store.update(tx -> tx.services().create(service("web", 1, "busybox:1")));
    store.update(tx -> {
      Service u = tx.services().get(s.id);
      u.spec.mode = ServiceMode.replicated(3);
      u.spec.taskTemplate.containerSpec.image = "busybox:2";
      u.updateStatus = new Service.UpdateStatus();
      u.updateStatus.state = "updating";
      return tx.services().update(u);
    });
    store.update(tx -> {
      tx.services().delete(s.id);
      return null;
    });
    List<EventMessage> got = next(sub, 3);
    assertEquals(List.of("create", "update", "remove"), got.stream().map(m -> m.action).toList(), Json.toString(got));
    for (EventMessage m : got) {
      assertEquals("service", m.type);
      assertEquals("swarm", m.scope);
      assertEquals(s.id, m.actor.id);
      assertEquals("web", m.attribute("name"));
      assertTrue(m.timeNano > 0 && m.time == m.timeNano / 1_000_000_000L);
    }
    EventMessage u = got.get(1);
    assertEquals("1", u.attribute("replicas.old"));
    assertEquals("3", u.attribute("replicas.new"));
    assertEquals("busybox:1", u.attribute("image.old"));
    assertEquals("busybox:2", u.attribute("image.new"));
    assertEquals("updating", u.attribute("updatestate.new"));
    assertNull(u.attribute("updatestate.old"));
    assertEquals(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond(), got.get(0).time);
  }

  @Test
  void theJsonShapeHasDockersFieldNames() {
    EventMessage m = EventMessage.of("node", "update", "n1", java.util.Map.of("name", "a"), "swarm",
        Instant.ofEpochSecond(5, 7));
    String json = Json.toString(m);
    assertEquals("{\"Type\":\"node\",\"Action\":\"update\",\"Actor\":{\"ID\":\"n1\",\"Attributes\":{\"name\":\"a\"}},"
        + "\"scope\":\"swarm\",\"time\":5,\"timeNano\":5000000007}", json);
  }
}
