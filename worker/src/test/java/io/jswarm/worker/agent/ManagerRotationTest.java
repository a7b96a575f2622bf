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
      () -> 0.999999);
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
  void onlyARefusedConnectionCountsAsRefused() {
    assertTrue(ManagerRotation.isRefused(new IOException("x", new ConnectException("Connection refused"))));
    assertTrue(ManagerRotation.isRefused(new ConnectException("Connection refused")));
    assertFalse(ManagerRotation.isRefused(new IOException("manager m1 answered 503")));
    assertFalse(ManagerRotation.isRefused(new SocketTimeoutException("connect timed out")));
  }
}
