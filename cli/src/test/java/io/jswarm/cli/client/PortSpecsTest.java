package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.PortConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortSpecsTest {
  @Test
  void shortSyntax() {
    PortConfig p = PortSpecs.parse("8080:80").get(0);
    assertEquals(8080L, p.publishedPort);
    assertEquals(80L, p.targetPort);
    assertEquals("tcp", p.protocol);
    assertEquals("ingress", p.publishMode);

    PortConfig udp = PortSpecs.parse("53:53/udp").get(0);
    assertEquals("udp", udp.protocol);

    PortConfig targetOnly = PortSpecs.parse("80").get(0);
    assertNull(targetOnly.publishedPort);
    assertEquals(80L, targetOnly.targetPort);

    List<PortConfig> range = PortSpecs.parse("8080-8081:80-81");
    assertEquals(2, range.size());
    assertEquals(8081L, range.get(1).publishedPort);
    assertEquals(81L, range.get(1).targetPort);
  }

  @Test
  void longSyntax() {
    PortConfig p = PortSpecs.parse("published=8080,target=80,protocol=udp,mode=host").get(0);
    assertEquals(8080L, p.publishedPort);
    assertEquals(80L, p.targetPort);
    assertEquals("udp", p.protocol);
    assertEquals("host", p.publishMode);
  }

  @Test
  void errorsNameTheProblem() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("published=8080")).getMessage()
        .contains("'target'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("target=80,mode=bridge"))
        .getMessage().contains("ingress"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("8080:80/icmp")).getMessage()
        .contains("tcp, udp and sctp"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("99999:80")).getMessage()
        .contains("0 to 65535"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("127.0.0.1:8080:80")).getMessage()
        .contains("host IP"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PortSpecs.parse("8080-8082:80-81")).getMessage()
        .contains("differ"));
  }
}
