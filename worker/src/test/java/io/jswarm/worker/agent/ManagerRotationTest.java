package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagerRotationTest {
  /** Windows of 1 s doubling to 8 s, every draw the whole window less 1 ms: delays tell the failures in a row. */
  private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8),
      () -> 0.999999, bound -> 0); // after an open session ended, the manager right after it (the draw: below)
  private final List<String> known = List.of("m1", "m2", "m3");
  private final ManagerRotation r = new ManagerRotation();

  private ManagerRotation.Next failed(String addr) {
    return r.after(known, addr, false, null, false, backoff);
  }

  private ManagerRotation.Next refused(String addr) {
    return r.after(known, addr, false, null, true, backoff);
  }

  @Test
  void refusedManagersArePassedAtOnceUntilEveryOneRefusedInARow() {
    assertEquals(new ManagerRotation.Next("m2", Duration.ZERO), refused("m1"));
    assertEquals(new ManagerRotation.Next("m3", Duration.ZERO), refused("m2"));
    ManagerRotation.Next third = refused("m3");
    assertEquals("m1", third.addr());
    assertEquals(Duration.ofMillis(1_999), third.delay(), "all three refused: a delay, counted as a failure");
    assertEquals(Duration.ZERO, refused("m1").delay(), "after the delay, a new turn");
  }

  @Test
  void otherFailuresWaitAndTheWindowGrows() {
    assertEquals(new ManagerRotation.Next("m2", Duration.ofMillis(1_999)), failed("m1"));
    assertEquals(new ManagerRotation.Next("m3", Duration.ofMillis(3_999)), failed("m2"));
    assertEquals(Duration.ZERO, refused("m3").delay(), "a refusal between failures costs no delay");
    assertEquals(new ManagerRotation.Next("m2", Duration.ofMillis(7_999)), failed("m1"));
    ManagerRotation.Next afterSession = r.after(known, "m2", true, null, false, backoff);
    assertEquals(new ManagerRotation.Next("m3", Duration.ofMillis(999)), afterSession, "a session resets it");
  }

  @Test
  void redirectsAreFollowedAtOnceThreeTimesBetweenDelays() {
    assertEquals(new ManagerRotation.Next("m3", Duration.ZERO), r.after(known, "m2", false, "m3", false, backoff));
    assertEquals(new ManagerRotation.Next("m2", Duration.ZERO), r.after(known, "m3", false, "m2", false, backoff));
    assertEquals(new ManagerRotation.Next("m3", Duration.ZERO), r.after(known, "m2", false, "m3", false, backoff));
    ManagerRotation.Next fourth = r.after(known, "m3", false, "m2", false, backoff);
    assertEquals("m1", fourth.addr(), "two managers pointing at each other: the next one");
    assertTrue(fourth.delay().compareTo(Duration.ZERO) > 0);
    assertEquals(new ManagerRotation.Next("m3", Duration.ZERO), r.after(known, "m1", false, "m3", false, backoff),
        "counted since the last delay: a later redirect is followed again");
  }

  @Test
  void aDeadLeaderThatAFollowerNamesSendsTheNextAttemptPastTheFollower() {
    assertEquals(new ManagerRotation.Next("m1", Duration.ZERO), r.after(known, "m2", false, "m1", false, backoff));
    assertEquals(new ManagerRotation.Next("m3", Duration.ZERO), refused("m1"), "not m2, which named m1, again");
    // a leader a redirect named, with a session that ended: the manager after that leader
    assertEquals(new ManagerRotation.Next("m2", Duration.ZERO), r.after(known, "m3", false, "m2", false, backoff));
    assertEquals("m3", r.after(known, "m2", true, null, false, backoff).addr());
  }

  @Test
  void afterAnOpenSessionEndedTheNextManagerIsDrawnAmongTheOthers() {
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    java.util.Random random = new java.util.Random(16);
    ReconnectBackoff drawing = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), random::nextDouble);
    ManagerRotation drawn = new ManagerRotation();
    for (int i = 0; i < 1_000; i++) {
      ManagerRotation.Next next = drawn.after(known, "m1", true, null, false, drawing);
      counts.merge(next.addr(), 1, Integer::sum);
      assertTrue(next.delay().compareTo(Duration.ofSeconds(1)) < 0, "the window after an open session, as before");
    }
    assertEquals(java.util.Set.of("m2", "m3"), counts.keySet(), "never the manager whose session ended");
    assertTrue(counts.get("m2") > 400 && counts.get("m3") > 400, "both survivors get a share: " + counts);
    // a failed attempt still goes on in list order (not drawn): m3 -> m1
    ReconnectBackoff last = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), () -> 0.5,
        bound -> bound - 1);
    ManagerRotation inOrder = new ManagerRotation();
    assertEquals("m3", inOrder.after(known, "m1", true, null, false, last).addr(), "the last draw: 2 after m1");
    assertEquals("m1", inOrder.after(known, "m3", false, null, false, last).addr());
    // a session with a manager no longer in the list: any of the list
    assertEquals("m1", new ManagerRotation().after(known, "m9", true, null, false, last).addr());
  }

  @Test
  void onlyARefusedConnectionCountsAsRefused() {
    assertTrue(ManagerRotation.isRefused(new IOException("x", new ConnectException("Connection refused"))));
    assertTrue(ManagerRotation.isRefused(new ConnectException("Connection refused")));
    assertFalse(ManagerRotation.isRefused(new IOException("manager m1 answered 503")));
    assertFalse(ManagerRotation.isRefused(new SocketTimeoutException("connect timed out")));
  }
}
