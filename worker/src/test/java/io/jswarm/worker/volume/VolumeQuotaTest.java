package io.jswarm.worker.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.linux.LoopDevices;
import io.jswarm.linux.Mounts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume with {@code size}: a loop-mounted ext4 of that size; writing past it is ENOSPC; removal leaves nothing. */
class VolumeQuotaTest {
  @TempDir
  Path dataRoot;

  @AfterEach
  void cleanUp() {
    for (Path m : Mounts.mountsUnder(dataRoot)) {
      Mounts.unmount(m, true);
    }
  }

  private boolean loopBackedUnder(Path dir) {
    return LoopDevices.backingFiles().values().stream().anyMatch(f -> f.startsWith(dir.toString()));
  }

  @Test
  void aSizedVolumeRefusesWritesPastItsSizeAndIsGoneWhenRemoved() throws Exception {
    LocalVolumes v = new LocalVolumes(dataRoot.resolve("volumes"), Clock.systemUTC());
    Volume created = v.create("q1", Map.of(), Map.of("size", "10M"));
    Path data = Path.of(created.mountpoint);
    assertTrue(Mounts.isMountPoint(data), "the volume's file system is mounted on _data");
    assertTrue(loopBackedUnder(dataRoot), LoopDevices.backingFiles().toString());
    assertEquals(Map.of("size", "10M"), created.options);
    assertEquals(10L << 20, created.status.get("SizeLimit"));

    byte[] mib = new byte[1 << 20];
    long written = 0;
    IOException full = null;
    try (OutputStream out = Files.newOutputStream(data.resolve("fill"))) {
      for (int i = 0; i < 20; i++) {
        out.write(mib);
        written += mib.length;
      }
    } catch (IOException e) {
      full = e;
    }
    assertTrue(full != null && full.getMessage().contains("No space left on device"), String.valueOf(full));
    assertTrue(written >= 9L << 20 && written <= 10L << 20, "wrote " + written + " bytes of 10 MiB");
    assertEquals(10L << 20, v.sizeLimit("q1"));

    Volume inspected = new LocalVolumes(dataRoot.resolve("volumes"), Clock.systemUTC()).inspect("q1", true);
    assertTrue(inspected.usageData.size >= 9L << 20, "usage " + inspected.usageData.size);
    assertTrue((long) inspected.status.get("Available") < 1L << 20, inspected.status.toString());

    ConflictException resized = assertThrows(ConflictException.class,
        () -> v.create("q1", Map.of(), Map.of("size", "20M")));
    assertTrue(resized.getMessage().contains("with size 10M"), resized.getMessage());
    assertEquals("q1", v.create("q1", Map.of(), Map.of()).name, "the same name without options returns it");

    v.remove("q1");
    assertFalse(Files.exists(data));
    assertEquals(java.util.List.of(), Mounts.mountsUnder(dataRoot));
    assertFalse(loopBackedUnder(dataRoot), "the loop device went with the mount: " + LoopDevices.backingFiles());
  }

  @Test
  void aRestartedDaemonMountsTheVolumeAgainWhenATaskUsesIt() throws Exception {
    LocalVolumes v = new LocalVolumes(dataRoot.resolve("volumes"), Clock.systemUTC());
    Path data = Path.of(v.create("q2", Map.of(), Map.of("size", "2M")).mountpoint);
    Files.writeString(data.resolve("kept"), "yes");
    Mounts.unmount(data, false); // as after a reboot
    assertFalse(Mounts.isMountPoint(data));
    Path again = new LocalVolumes(dataRoot.resolve("volumes"), Clock.systemUTC()).acquire("q2", Map.of(), "t1");
    assertTrue(Mounts.isMountPoint(again));
    assertEquals("yes", Files.readString(again.resolve("kept")));
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    LocalVolumes v = new LocalVolumes(dataRoot.resolve("volumes"), Clock.systemUTC());
    assertTrue(assertThrows(InvalidArgumentException.class, () -> v.create("x1", Map.of(), Map.of("type", "nfs")))
        .getMessage().contains("takes only \"size\""));
    assertTrue(assertThrows(InvalidArgumentException.class, () -> v.create("x2", Map.of(), Map.of("size", "lots")))
        .getMessage().startsWith("DriverOpts.size: invalid size \"lots\""));
    assertTrue(assertThrows(InvalidArgumentException.class, () -> v.create("x3", Map.of(), Map.of("size", "1k")))
        .getMessage().contains("smallest volume size, 1M"));
    assertFalse(Files.exists(dataRoot.resolve("volumes/x2")));
  }
}
