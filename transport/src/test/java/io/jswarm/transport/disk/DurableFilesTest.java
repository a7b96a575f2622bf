package io.jswarm.transport.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
  private static final class Crash extends IOException {
    Crash(String step) {
      super("crash before " + step);
    }
  }

  @Test
  void aReplacementInterruptedAtAnyStepLeavesTheOldContentOrTheNew(@TempDir Path dir) throws Exception {
    for (DurableFiles.Step at : DurableFiles.Step.values()) {
      Path f = dir.resolve("state-" + at + ".json");
      DurableFiles.replace(f, "old".getBytes(), true);
      assertThrows(Crash.class, () -> DurableFiles.replace(f, "new".getBytes(), true, step -> {
        if (step.equals(at.name())) {
          throw new Crash(step);
        }
      }));
      String now = Files.readString(f);
      assertEquals(at.ordinal() <= DurableFiles.Step.RENAME.ordinal() ? "old" : "new", now, "crash before " + at);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(DurableFiles.TMP_SUFFIX)), "temporaries removed");
    }
  }

  @Test
  void leftoversOfAKilledProcessAreRemovedAndTreesSync(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("images.json.123.456" + DurableFiles.TMP_SUFFIX), "half");
    Files.writeString(dir.resolve("images.json"), "{}");
    DurableFiles.removeLeftovers(dir);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("images.json")), files.toList());
    }
    Path tree = Files.createDirectories(dir.resolve("layer/a/b"));
    Files.writeString(tree.resolve("f"), "x");
    Files.createSymbolicLink(tree.resolve("dangling"), Path.of("/nonexistent"));
    DurableFiles.syncTree(dir.resolve("layer")); // files and directories, links not followed
  }
}
