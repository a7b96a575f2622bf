package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A client verb reads the version from the directory {@code bin/jswarm} names, and from the jar without one. */
class ClientResourcesTest {
  @Test
  void theVersionComesFromTheNamedDirectoryThenFromTheJar() throws Exception {
    String fromJar = Main.version();
    assertNotEquals("unknown", fromJar);
    Path dir = Files.createTempDirectory("client-resources");
    try {
      System.setProperty(ClientResources.PROPERTY, dir.toString());
      assertEquals(fromJar, Main.version(), "a directory without the file: the jar's");
      assertNull(ClientResources.open(Main.VERSION_RESOURCE));
      Files.writeString(dir.resolve(Main.VERSION_RESOURCE), "version=9.9-beside\n");
      assertEquals("9.9-beside", Main.version());
    } finally {
      System.clearProperty(ClientResources.PROPERTY);
      Files.deleteIfExists(dir.resolve(Main.VERSION_RESOURCE));
      Files.delete(dir);
    }
    assertEquals(fromJar, Main.version());
  }
}
