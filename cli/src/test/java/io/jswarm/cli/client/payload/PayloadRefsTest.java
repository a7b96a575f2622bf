package io.jswarm.cli.client.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.client.UsageException;
import org.junit.jupiter.api.Test;

/** {@code --secret} / {@code --config} values as the docker CLI parses them. */
class PayloadRefsTest {
  @Test
  void aNameAloneGetsDockersDefaults() {
    assertEquals(new PayloadRefs.Parsed("db", "db", "0", "0", 0444), PayloadRefs.parse("--secret", "db"));
  }

  @Test
  void fieldsAndGoBase0Modes() {
    assertEquals(new PayloadRefs.Parsed("db", "pw", "1000", "1001", 0400),
        PayloadRefs.parse("--secret", "src=db,target=pw,uid=1000,gid=1001,mode=0400"));
    assertEquals(0400, PayloadRefs.parse("--secret", "source=db,mode=0o400").mode());
    assertEquals(256, PayloadRefs.parse("--secret", "source=db,mode=256").mode());
    assertEquals("db", PayloadRefs.parse("--config", "source=db").target());
  }

  @Test
  void badValuesNameTheProblem() {
    assertTrue(assertThrows(UsageException.class, () -> PayloadRefs.parse("--secret", "target=x")).getMessage()
        .contains("source is required"));
    assertTrue(assertThrows(UsageException.class, () -> PayloadRefs.parse("--secret", "source=db,mode=0999"))
        .getMessage().contains("invalid mode \"0999\""));
    assertTrue(assertThrows(UsageException.class, () -> PayloadRefs.parse("--secret", "source=db,uid=root"))
        .getMessage().contains("invalid uid \"root\""));
    assertTrue(assertThrows(UsageException.class, () -> PayloadRefs.parse("--config", "source=db,owner=1"))
        .getMessage().contains("invalid field key 'owner'"));
  }
}
