package io.jswarm.manager.dispatcher;

import io.jswarm.consensus.store.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private final TestClock clock = new TestClock(DispatcherHarness.T0);
  private final Sessions sessions = new Sessions(clock);

  @Test
  void aNewSessionReplacesTheNodesOldOneAndStartsItsDeadline() {
    Session first = new Session("s1", "n1", new FakeSink());
    assertNull(sessions.add(first, Duration.ofSeconds(15)));
    Session second = new Session("s2", "n1", new FakeSink());
    assertSame(first, sessions.add(second, Duration.ofSeconds(15)));
    assertFalse(sessions.has("s1", "n1"));
    assertTrue(sessions.has("s2", "n1"));
    assertFalse(sessions.has("s2", "n2"), "a session is its node's only");
    assertEquals(1, sessions.count());
    assertSame(second, sessions.ofNode("n1"));

    sessions.remove(first); // the old stream closing later does not drop the new session
    assertSame(second, sessions.ofNode("n1"));
    assertTrue(sessions.has("s2", "n1"));
  }

  @Test
  void heartbeatsPushTheDeadlineAndExpiryReturnsEachLateNodeOnce() {
    sessions.add(new Session("s1", "n1", new FakeSink()), Duration.ofSeconds(15));
    sessions.deadline("n2", DispatcherHarness.T0.plusSeconds(25));
    clock.advance(Duration.ofSeconds(10));
    sessions.heartbeat("n1", Duration.ofSeconds(15));
    clock.advance(Duration.ofSeconds(10)); // t=20: n1 due at 25, n2 at 25
    assertEquals(List.of(), sessions.expire(clock.instant()));
    clock.advance(Duration.ofSeconds(6));
    List<String> late = sessions.expire(clock.instant());
    assertEquals(List.of("n1", "n2"), late.stream().sorted().toList());
    assertEquals(List.of(), sessions.expire(clock.instant()), "a node is reported late once");
  }

  @Test
  void onlySessionsThatGotTheirFullSetAreRegistered() {
    Session s = new Session("s1", "n1", new FakeSink());
    sessions.add(s, Duration.ofSeconds(15));
    assertEquals(List.of(), sessions.registered());
    s.index = 7;
    assertEquals(List.of(s), sessions.registered());
  }
}
