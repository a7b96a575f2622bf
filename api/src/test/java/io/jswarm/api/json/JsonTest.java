package io.jswarm.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.UpdateConfig;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void fieldNamesMatchCaseInsensitivelyLikeGo() throws Exception {
    ContainerSpec c = Json.fromString(
        "{\"image\":\"redis\",\"HealthCheck\":{\"Retries\":3},\"tty\":true}", ContainerSpec.class);
    assertEquals("redis", c.image);
    assertEquals(3L, c.healthcheck.retries);
    assertEquals(true, c.tty);
    assertEquals(Json.mapper().readTree("{\"Image\":\"redis\",\"TTY\":true,\"Healthcheck\":{\"Retries\":3}}"),
        Json.mapper().readTree(Json.toString(c)));
  }

  @Test
  void wholeFloatsAreWrittenWithoutAFractionLikeGo() {
    UpdateConfig u = new UpdateConfig();
    u.maxFailureRatio = 0.0;
    assertEquals("{\"MaxFailureRatio\":0}", Json.toString(u));
    u.maxFailureRatio = 1.0;
    assertEquals("{\"MaxFailureRatio\":1}", Json.toString(u));
    u.maxFailureRatio = 0.15;
    assertEquals("{\"MaxFailureRatio\":0.15}", Json.toString(u));
  }

  @Test
  void nullsAreOmittedAndUnknownFieldsIgnored() {
    UpdateConfig u = Json.fromString("{\"Parallelism\":2,\"SomethingNew\":{\"X\":1}}", UpdateConfig.class);
    assertEquals("{\"Parallelism\":2}", Json.toString(u));
  }

  @Test
  void copyIsDeep() {
    UpdateConfig u = new UpdateConfig();
    u.order = "start-first";
    UpdateConfig c = Json.copy(u);
    assertNotSame(u, c);
    assertEquals("start-first", c.order);
  }

  @Test
  void malformedJsonNamesTheType() {
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> Json.fromBytes("{".getBytes(java.nio.charset.StandardCharsets.UTF_8), UpdateConfig.class));
    assertEquals(true, e.getMessage().startsWith("invalid JSON for UpdateConfig"));
  }
}
