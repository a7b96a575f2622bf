package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServiceLogsCommandTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.5Z");

  @Test
  void sinceTakesUnixTimesRfc3339AndDurations() {
    assertEquals("1700000000", ServiceLogsCommand.unixSince("1700000000", NOW));
    assertEquals("1700000000.25", ServiceLogsCommand.unixSince("1700000000.25", NOW));
    assertEquals(NOW.getEpochSecond() - 42 * 60 + ".500000000", ServiceLogsCommand.unixSince("42m", NOW));
    assertEquals("1357133017.000000000", ServiceLogsCommand.unixSince("2013-01-02T13:23:37Z", NOW));
    assertEquals("1357133017.000000000", ServiceLogsCommand.unixSince("2013-01-02T14:23:37+01:00", NOW));
    assertThrows(UsageException.class, () -> ServiceLogsCommand.unixSince("yesterday", NOW));
  }

  @Test
  void tailLikeDocker() {
    assertEquals("all", ServiceLogsCommand.tailValue("all"));
    assertEquals("all", ServiceLogsCommand.tailValue("-3"));
    assertEquals("all", ServiceLogsCommand.tailValue("lots"));
    assertEquals("10", ServiceLogsCommand.tailValue("10"));
  }

  @Test
  void volumeSizesInDockersDecimalUnits() {
    assertEquals("0B", VolumeCommand.humanSize(0));
    assertEquals("999B", VolumeCommand.humanSize(999));
    assertEquals("2.5kB", VolumeCommand.humanSize(2500));
    assertEquals("12.35MB", VolumeCommand.humanSize(12_345_678));
  }
}
