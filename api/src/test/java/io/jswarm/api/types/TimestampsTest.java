package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void formatsLikeGoRfc3339Nano() {
    assertEquals("2016-06-07T21:07:31.171892745Z", Timestamps.format(Instant.parse("2016-06-07T21:07:31.171892745Z")));
    assertEquals("2016-06-07T21:07:31.1Z", Timestamps.format(Instant.parse("2016-06-07T21:07:31.100Z")));
    assertEquals("2016-06-07T21:07:31.00000001Z", Timestamps.format(Instant.parse("2016-06-07T21:07:31.000000010Z")));
    assertEquals("2016-06-07T21:07:31Z", Timestamps.format(Instant.parse("2016-06-07T21:07:31Z")));
    assertEquals("0001-01-01T00:00:00Z", Timestamps.format(Instant.parse("0001-01-01T00:00:00Z")));
  }

  @Test
  void parsesWhatDockerWritesAndOffsets() {
    assertEquals(Instant.parse("2016-06-07T21:07:31.171892745Z"), Timestamps.parse("2016-06-07T21:07:31.171892745Z"));
    assertEquals(Instant.parse("2016-06-07T21:07:31Z"), Timestamps.parse("2016-06-07T21:07:31Z"));
    assertEquals(Instant.parse("2016-06-07T19:07:31.5Z"), Timestamps.parse("2016-06-07T21:07:31.5+02:00"));
  }

  @Test
  void roundTripsAnyInstant() {
    Instant t = Instant.ofEpochSecond(1_700_000_000L, 123_450_000);
    assertEquals(t, Timestamps.parse(Timestamps.format(t)));
    assertEquals("2023-11-14T22:13:20.12345Z", Timestamps.format(t));
  }

  @Test
  void rejectsOtherFormatsWithAnExample() {
    for (String bad : new String[] {"2016-06-07 21:07:31Z", "2016-06-07T21:07Z", "2016-02-30T00:00:00Z", "", null}) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Timestamps.parse(bad));
      assertTrue(e.getMessage().contains("want RFC 3339"), e.getMessage());
    }
  }
}
