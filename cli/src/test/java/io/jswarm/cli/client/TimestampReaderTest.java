package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.types.Timestamps;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's hand-read timestamps are {@code Timestamps.parse}'s instants, and what it does not read is left to it. */
class TimestampReaderTest {
  @Test
  void readsTheUsualFormAsTimestampsDoes() {
    for (String s : List.of("2016-06-07T21:07:31.171892745Z", "2016-06-07T21:07:31Z", "2026-01-01T00:00:00.5Z",
        "2024-02-29T23:59:59.000000001Z", "1970-01-01T00:00:00Z", "2026-12-07T04:00:00.123+02:00",
        "2026-12-07T04:00:00-05:30", "2026-12-07T04:00:00+18:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2026-12-07T04:00:00.123456789-00:00")) {
      assertNotNull(TimestampReader.read(s), s);
      assertEquals(Timestamps.parse(s), TimestampReader.read(s), s);
    }
  }

  @Test
  void leavesTheRestToTimestamps() {
    for (String s : List.of("", "2016-06-07", "2016-06-07T21:07:31", "2016-06-07T21:07:31.Z",
        "2016-06-07T21:07:31.1234567890Z", "2016-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2016-13-01T00:00:00Z",
        "2016-06-07T24:00:00Z", "2016-06-07T23:60:00Z", "2016-06-07T23:59:60Z", "2016-06-07T21:07:31+19:00",
        "2016-06-07T21:07:31+0200", "2016-06-07 21:07:31Z", "2016-06-07T21:07:31z", "+2016-06-07T21:07:31Z",
        "2016-06-07T21:07:31ZZ", "2016-06-07T21:07:3aZ")) {
      assertNull(TimestampReader.read(s), s);
    }
    assertThrows(RuntimeException.class, () -> Timestamps.parse("2016-02-30T00:00:00Z"));
  }
}
