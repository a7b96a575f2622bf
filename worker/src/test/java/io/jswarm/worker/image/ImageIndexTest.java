package io.jswarm.worker.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code images.json} survives a restart as it was saved, and a damaged one is refused with what to do. */
class ImageIndexTest {
  @TempDir
  Path dir;

  @Test
  void whatWasSavedIsWhatTheNextStartReads() throws IOException {
    Path file = dir.resolve("images.json");
    Digest m = new Digest("a".repeat(64));
    Digest other = new Digest("b".repeat(64));
    ImageIndex index = new ImageIndex(file);
    synchronized (index) {
      index.images.put(m, "2026-12-07T18:00:00Z");
      index.images.put(other, "2026-12-07T18:01:00Z");
      index.references.put("docker.io/library/busybox:latest", m);
      index.references.put("docker.io/library/busybox@" + other, other);
      index.save();
    }
    ImageIndex again = new ImageIndex(file);
    synchronized (again) {
      assertEquals(index.images, again.images);
      assertEquals(Map.copyOf(index.references), Map.copyOf(again.references));
    }
    assertTrue(new ImageIndex(dir.resolve("none.json")).images.isEmpty(), "no file: an empty index");
  }

  @Test
  void aDamagedIndexIsRefusedWithWhatToDo() throws IOException {
    Path file = dir.resolve("images.json");
    Files.writeString(file, "{\"images\": {\"not-a-digest\": {}}}");
    IOException e = assertThrows(IOException.class, () -> new ImageIndex(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("move it away"), e.getMessage());
  }
}
