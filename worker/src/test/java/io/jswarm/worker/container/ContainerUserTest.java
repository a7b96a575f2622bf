package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user lookup reads the image's /etc/passwd and /etc/group and nothing of the node, whatever the links. */
class ContainerUserTest {
  @TempDir
  Path dir;
  Path rootfs;
  /** A passwd on the node that makes nobody root: if the lookup ever reads it, nobody resolves to uid 0. */
  Path hostPasswd;

  @BeforeEach
  void setUp() throws Exception {
    rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createDirectories(rootfs.resolve("usr/lib"));
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n");
    hostPasswd = Files.writeString(dir.resolve("host-passwd"), "nobody:x:0:0::/:/bin/sh\n");
  }

  private String refused(String user) {
    return assertThrows(IllegalArgumentException.class, () -> ContainerUser.resolve(user, rootfs)).getMessage();
  }

  @Test
  void namesComeFromTheImagesTablesThroughLinksInsideIt() throws Exception {
    Files.writeString(rootfs.resolve("usr/lib/passwd"), "root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/usr/lib/passwd")); // absolute, in scope
    assertEquals(new ContainerUser(65534, 65534, List.of(50L)), ContainerUser.resolve("nobody", rootfs));
    Files.delete(rootfs.resolve("etc/passwd"));
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("../usr/lib/./passwd")); // relative
    assertEquals(new ContainerUser(65534, 50, List.of(50L)), ContainerUser.resolve("nobody:staff", rootfs));
    assertEquals(new ContainerUser(7, 8, List.of()), ContainerUser.resolve("7:8", rootfs));
  }

  @Test
  void aPasswdLinkedToProcKcoreIsRefusedWithoutReadingTheNode() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/proc/kcore"));
    String why = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused("nobody"));
    assertTrue(why.contains("no user \"nobody\" in the image's /etc/passwd (/etc/passwd links to /proc/kcore, which "
        + "is looked up inside the image, never on the node)"), why);
  }

  @Test
  void linksOutOfTheRootfsNeverReachTheNodesFiles() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"), hostPasswd); // absolute: re-rooted
    assertTrue(refused("nobody").contains("no user \"nobody\""));
    Files.delete(rootfs.resolve("etc/passwd"));
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"),
        Path.of("../../../../../../../../.." + hostPasswd)); // .. stops at the rootfs
    assertTrue(refused("nobody").contains("no user \"nobody\""));
    Files.delete(rootfs.resolve("etc/passwd"));
    Files.delete(rootfs.resolve("etc/group"));
    Files.delete(rootfs.resolve("etc"));
    Files.createSymbolicLink(rootfs.resolve("etc"), dir); // a directory link on the way
    assertTrue(refused("nobody").contains("no user \"nobody\""));
  }

  @Test
  void onlyRegularFilesOfBoundedSizeAreRead() throws Exception {
    Path fifo = rootfs.resolve("etc/passwd");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    String why = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused("nobody"));
    assertTrue(why.contains("ContainerSpec.User: the image's /etc/passwd cannot be used (/etc/passwd in the image is "
        + "not a regular file)"), why);
    Files.delete(fifo);
    Files.write(fifo, new byte[(int) ContainerUser.MAX_TABLE_BYTES + 1]);
    assertTrue(refused("nobody").contains("bytes; at most " + ContainerUser.MAX_TABLE_BYTES), refused("nobody"));
    Files.delete(fifo);
    Files.createSymbolicLink(fifo, Path.of("passwd"));
    assertTrue(refused("nobody").contains("more than 40 symbolic links"), refused("nobody"));
  }
}
