package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
  @Test
  void theWindowDoublesWithEachFailureUpToTheMaximum() {
    ReconnectBackoff b = new ReconnectBackoff();
    assertEquals(Duration.ofSeconds(1), b.window(0));
    assertEquals(Duration.ofSeconds(2), b.window(1));
    assertEquals(Duration.ofSeconds(4), b.window(2));
    assertEquals(Duration.ofSeconds(5), b.window(3));
    assertEquals(Duration.ofSeconds(5), b.window(1000));
  }

  @Test
  void aThousandAgentsWhoseSessionsEndTogetherReconnectSpreadOverTheWindow() {
    ReconnectBackoff b = new ReconnectBackoff();
    int[] perTenth = new int[10];
    for (int i = 0; i < 1000; i++) {
      long ms = b.delay(0).toMillis();
      assertTrue(ms >= 0 && ms < 1000, "delay " + ms + " ms is outside [0, 1 s)");
      perTenth[(int) (ms / 100)]++;
    }
    for (int i = 0; i < 10; i++) {
      // uniform: about 100 per 100 ms; in lockstep all 1,000 would be in one slot
      assertTrue(perTenth[i] > 40 && perTenth[i] < 200, "slot " + i + " holds " + perTenth[i] + " of 1,000");
    }
  }

  @Test
  void theDelayIsTheDrawnFractionOfTheWindow() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(400), Duration.ofSeconds(2), () -> 0.5);
    assertEquals(Duration.ofMillis(200), b.delay(0));
    assertEquals(Duration.ofMillis(800), b.delay(2));
    assertEquals(Duration.ofMillis(1000), b.delay(9));
    assertThrows(IllegalStateException.class,
        () -> new ReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(2), () -> 1.0).delay(0));
    assertThrows(IllegalArgumentException.class,
        () -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0));
  }
}
