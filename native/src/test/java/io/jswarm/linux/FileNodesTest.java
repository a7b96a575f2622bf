package io.jswarm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FileNodesTest {
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("h-image-nodes");
  }

  @AfterEach
  void tearDown() throws Exception {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void makesDeviceNodesAndFifos() throws Exception {
    Path whiteout = dir.resolve("wh");
    FileNodes.mknod(whiteout, FileNodes.S_IFCHR, 0, 0, 0);
    assertEquals(0L, Files.getAttribute(whiteout, "unix:rdev"));
    assertEquals(FileNodes.S_IFCHR, ((int) Files.getAttribute(whiteout, "unix:mode")) & 0170000);
    Path nul = dir.resolve("null");
    FileNodes.mknod(nul, FileNodes.S_IFCHR, 0666, 1, 3);
    assertEquals(FileNodes.makedev(1, 3), (long) Files.getAttribute(nul, "unix:rdev"));
    assertEquals(0x103L, FileNodes.makedev(1, 3));
    Path fifo = dir.resolve("fifo");
    FileNodes.mknod(fifo, FileNodes.S_IFIFO, 0600, 0, 0);
    assertEquals(0010000, ((int) Files.getAttribute(fifo, "unix:mode")) & 0170000);
    LinuxException e = assertThrows(LinuxException.class, () -> FileNodes.mknod(fifo, FileNodes.S_IFIFO, 0600, 0, 0));
    assertTrue(e.getMessage().contains("mknod"), e.getMessage());
  }

  @Test
  void setsAndReadsXattrsOnTheLinkItself() {
    assertNull(FileNodes.getXattr(dir, "trusted.overlay.opaque"));
    FileNodes.setXattr(dir, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
    assertEquals("y", FileNodes.getXattrString(dir, "trusted.overlay.opaque"));
  }
}
