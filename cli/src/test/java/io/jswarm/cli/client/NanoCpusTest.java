package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NanoCpusTest {
  @Test
  void decimalCpusBecomeNanoCpus() {
    assertEquals(500_000_000L, NanoCpus.parse("0.5"));
    assertEquals(2_000_000_000L, NanoCpus.parse("2"));
    assertEquals(1L, NanoCpus.parse("0.000000001"));
    assertEquals(0L, NanoCpus.parse("0"));
  }

  @Test
  void rejectsNegativeTooPreciseAndText() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NanoCpus.parse("-1")).getMessage().contains("negative"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NanoCpus.parse("0.0000000001")).getMessage()
        .contains("too precise"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NanoCpus.parse("half")).getMessage()
        .contains("such as 0.5"));
  }

  @Test
  void formatsBack() {
    assertEquals("0.5", NanoCpus.format(500_000_000L));
    assertEquals("4", NanoCpus.format(4_000_000_000L));
  }
}
