package io.jswarm.manager.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.EventMessage;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventBusTest {
  private static EventMessage at(long second, String action) {
    return EventMessage.of("service", action, "s1", Map.of("name", "web"), EventMessage.SCOPE_SWARM,
        Instant.ofEpochSecond(second));
  }

  @Test
  void aSubscriberGetsLaterEventsItsFilterTakes() throws Exception {
    EventBus bus = new EventBus();
    EventBus.Subscription s = bus.subscribe(m -> m.action.equals("create"), 0, 0);
    bus.publish(at(1, "update"));
    bus.publish(at(2, "create"));
    assertTrue(s.past().isEmpty());
    assertEquals(2, s.poll(1, TimeUnit.SECONDS).time);
    assertNull(s.poll(10, TimeUnit.MILLISECONDS));
  }

  @Test
  void sinceAndUntilReplayTheKeptEventsBetweenThem() {
    EventBus bus = new EventBus();
    for (int i = 1; i <= 5; i++) {
      bus.publish(at(i, "create"));
    }
    EventBus.Subscription s = bus.subscribe(m -> true, 2_000_000_000L, 4_000_000_000L);
    assertEquals(java.util.List.of(2L, 3L, 4L), s.past().stream().map(m -> m.time).toList());
  }

  @Test
  void onlyTheLastEventsAreKept() {
    EventBus bus = new EventBus();
    for (int i = 1; i <= EventBus.HISTORY + 10; i++) {
      bus.publish(at(i, "create"));
    }
    EventBus.Subscription s = bus.subscribe(m -> true, 1, 0);
    assertEquals(EventBus.HISTORY, s.past().size());
    assertEquals(11, s.past().get(0).time);
  }

  @Test
  void aSubscriberThatFallsBehindIsDroppedWithoutSlowingThePublisher() throws Exception {
    EventBus bus = new EventBus(4);
    EventBus.Subscription slow = bus.subscribe(m -> true, 0, 0);
    EventBus.Subscription fast = bus.subscribe(m -> true, 0, 0);
    for (int i = 1; i <= 3; i++) {
      bus.publish(at(i, "create"));
      assertEquals(i, fast.poll(1, TimeUnit.SECONDS).time);
    }
    long start = System.nanoTime();
    for (int i = 4; i <= 10_000; i++) {
      bus.publish(at(i, "create")); // never waits for the one nobody reads
      fast.poll(1, TimeUnit.SECONDS);
    }
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "publishing waited for a slow reader");
    assertTrue(slow.overflowed());
    assertTrue(slow.isClosed());
    assertNull(slow.poll(10, TimeUnit.MILLISECONDS));
    assertFalse(fast.overflowed());
    assertEquals(1, bus.subscriberCount());
  }

  @Test
  void aClosedSubscriptionIsForgotten() {
    EventBus bus = new EventBus();
    EventBus.Subscription s = bus.subscribe(m -> true, 0, 0);
    s.close();
    assertEquals(0, bus.subscriberCount());
  }
}
