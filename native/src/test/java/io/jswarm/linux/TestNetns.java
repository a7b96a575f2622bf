package io.jswarm.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace for a test, pinned on a file in a temp directory; {@link #close()} removes it
 * (and with it every link inside). Also runs commands inside it (for checks with {@code ip}).
 */
public final class TestNetns implements AutoCloseable {
  private static final List<TestNetns> OPEN = new ArrayList<>();
  public final Path dir;
  public final Path file;

  public TestNetns(String name) throws IOException {
    dir = Files.createTempDirectory("hnet-");
    file = dir.resolve(name);
    NetNs.create(file);
    synchronized (OPEN) {
      OPEN.add(this);
    }
  }

  /** Runs a command inside the namespace (forked from a thread that entered it); returns its stdout. */
  public String exec(String... cmd) throws Exception {
    return NetNs.run(file, () -> {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
      }
      return out;
    });
  }

  @Override
  public void close() throws IOException {
    NetNs.delete(file);
    Files.deleteIfExists(dir);
    synchronized (OPEN) {
      OPEN.remove(this);
    }
  }
}
