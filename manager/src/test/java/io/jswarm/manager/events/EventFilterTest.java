package io.jswarm.manager.events;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.EventMessage;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventFilterTest {
  private static final EventMessage SERVICE = EventMessage.of("service", "update", "abc123", Map.of("name", "web",
      "replicas.new", "3"), EventMessage.SCOPE_SWARM, Instant.EPOCH);
  private static final EventMessage CONTAINER = EventMessage.of("container", "health_status: healthy", "c0ffee",
      Map.of("name", "web.1.x", "com.docker.swarm.service.name", "web"), EventMessage.SCOPE_LOCAL, Instant.EPOCH);

  private static boolean take(String filters, EventMessage m) {
    return EventFilter.parse(filters).test(m);
  }

  @Test
  void noFiltersTakeEverything() {
    assertTrue(take(null, SERVICE));
    assertTrue(take("", CONTAINER));
  }

  @Test
  void typeEventAndScopeMatchExactly() {
    assertTrue(take("{\"type\":{\"service\":true}}", SERVICE));
    assertFalse(take("{\"type\":{\"service\":true}}", CONTAINER));
    assertTrue(take("{\"type\":[\"node\",\"service\"]}", SERVICE));
    assertTrue(take("{\"event\":{\"update\":true}}", SERVICE));
    assertFalse(take("{\"event\":{\"upd\":true}}", SERVICE));
    assertTrue(take("{\"scope\":{\"local\":true}}", CONTAINER));
    assertFalse(take("{\"scope\":{\"swarm\":true}}", CONTAINER));
  }

  @Test
  void healthStatusMatchesAsAPrefixAsInDocker() {
    assertTrue(take("{\"event\":{\"health_status\":true}}", CONTAINER));
  }

  @Test
  void objectFiltersMatchIdOrNamePrefixesAndExcludeOtherTypes() {
    assertTrue(take("{\"service\":{\"web\":true}}", SERVICE));
    assertTrue(take("{\"service\":{\"abc\":true}}", SERVICE));
    assertFalse(take("{\"service\":{\"db\":true}}", SERVICE));
    assertFalse(take("{\"node\":{\"db\":true}}", SERVICE));
    assertTrue(take("{\"node\":{\"node\":true}}", withName("node1")));
    assertTrue(take("{\"container\":{\"web.1\":true}}", CONTAINER));
  }

  @Test
  void labelsMatchTheActorsAttributes() {
    assertTrue(take("{\"label\":{\"com.docker.swarm.service.name=web\":true}}", CONTAINER));
    assertTrue(take("{\"label\":{\"com.docker.swarm.service.name\":true}}", CONTAINER));
    assertFalse(take("{\"label\":{\"com.docker.swarm.service.name=db\":true}}", CONTAINER));
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheAllowedOnes() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> EventFilter.parse("{\"x\":[\"1\"]}"));
    assertTrue(e.getMessage().contains("invalid filter 'x'") && e.getMessage().contains("service"), e.getMessage());
  }

  private static EventMessage withName(String name) {
    return EventMessage.of("service", "create", "zzz", Map.of("name", name), EventMessage.SCOPE_SWARM, Instant.EPOCH);
  }
}
