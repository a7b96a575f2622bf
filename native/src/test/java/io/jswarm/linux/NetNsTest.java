package io.jswarm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetNsTest {
  private static long inode(Path p) throws Exception {
    return (Long) Files.getAttribute(p, "unix:ino");
  }

  @Test
  void createRunAndDelete() throws Exception {
    Path file;
    try (TestNetns ns = new TestNetns("hnet-ns1")) {
      file = ns.file;
      assertTrue(NetNs.exists(file));
      long nsInode = inode(file);
      assertNotEquals(inode(Path.of("/proc/thread-self/ns/net")), nsInode);
      // the body runs in the namespace; the calling thread stays where it was
      long seen = NetNs.run(file, () -> inode(Path.of("/proc/thread-self/ns/net")));
      assertEquals(nsInode, seen);
      // a child process forked from the entered thread lives in the namespace too
      long child = NetNs.run(file, () -> {
        Process p = new ProcessBuilder("sleep", "5").start();
        try {
          return inode(Path.of("/proc/" + p.pid() + "/ns/net"));
        } finally {
          p.destroyForcibly().waitFor();
        }
      });
      assertEquals(nsInode, child);
      // only loopback inside
      String links = ns.exec("ip", "-o", "link");
      assertTrue(links.contains("lo:"), links);
      assertEquals(1, links.strip().lines().count(), links);
    }
    assertFalse(Files.exists(file));
    assertFalse(Mounts.isMountPoint(file));
  }

  @Test
  void createTwiceFails() throws Exception {
    try (TestNetns ns = new TestNetns("hnet-ns2")) {
      LinuxException e = assertThrows(LinuxException.class, () -> NetNs.create(ns.file));
      assertEquals(Errno.EEXIST, e.errno());
      assertTrue(NetNs.exists(ns.file), "the existing namespace is left alone");
    }
  }

  @Test
  void runInMissingNamespaceNamesTheFile() {
    LinuxException e = assertThrows(LinuxException.class, () -> NetNs.run(Path.of("/nonexistent/hnet-x"), () -> 1));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().contains("/nonexistent/hnet-x"), e.getMessage());
  }

  @Test
  void deleteOfMissingFileIsNotAnError() {
    NetNs.delete(Path.of("/tmp/hnet-never-created"));
  }
}
