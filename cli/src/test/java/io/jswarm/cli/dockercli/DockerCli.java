package io.jswarm.cli.dockercli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real docker client ({@code /usr/local/bin/docker}) pointed at a jswarm daemon through {@code DOCKER_HOST}.
 * A test using it fails (never skips) when the binary is missing: see the README for how to get it.
 */
final class DockerCli {
  static final String DOCKER = "/usr/local/bin/docker";

  private final String host;

  /** @param host a {@code DOCKER_HOST} value: {@code tcp://127.0.0.1:PORT} or {@code unix:///path} */
  DockerCli(String host) {
    assertTrue(Files.isExecutable(Path.of(DOCKER)), DOCKER + " is missing: the docker CLI client is needed by this "
        + "test (see README, \"Using the Docker CLI\")");
    this.host = host;
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  record Result(int rc, String out) {
    Result ok() {
      assertTrue(rc == 0, "docker failed (" + rc + "): " + out);
      return this;
    }
  }

  private ProcessBuilder builder(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(DOCKER);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DOCKER_HOST", host);
    pb.environment().remove("DOCKER_CONTEXT");
    pb.environment().put("DOCKER_CONFIG", System.getProperty("java.io.tmpdir") + "/jswarm-test-docker-config");
    pb.redirectErrorStream(true);
    return pb;
  }

  /** Runs {@code docker args...} to its end (at most {@code max}). */
  Result run(Duration max, String... args) throws IOException, InterruptedException {
    Process p = builder(args).start();
    p.getOutputStream().close();
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    reader.start();
    boolean ended = p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    reader.join(5000);
    String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
    assertTrue(ended, "docker " + String.join(" ", args) + " did not end within " + max + ": " + text);
    return new Result(p.exitValue(), text);
  }

  Result run(String... args) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(60), args);
  }

  /** A long-running {@code docker args...} whose output is read line by line. */
  Streaming start(String... args) throws IOException {
    return new Streaming(builder(args).start());
  }

  /** A running docker command; close kills it. */
  static final class Streaming implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    Streaming(Process process) {
      this.process = process;
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process was killed
        }
      }, "docker-output");
      t.setDaemon(true);
      t.start();
    }

    /** The next line that contains {@code text}, waiting up to {@code max}; fails listing every line seen. */
    String await(String text, Duration max) throws InterruptedException {
      long end = System.nanoTime() + max.toNanos();
      while (System.nanoTime() < end) {
        String l = lines.poll(200, TimeUnit.MILLISECONDS);
        if (l != null) {
          seen.add(l);
          if (l.contains(text)) {
            return l;
          }
        }
      }
      throw new AssertionError("no line with \"" + text + "\" within " + max + "; saw: " + seen);
    }

    /** Every line printed so far that was not consumed by {@link #await}, waiting {@code quiet} for more. */
    List<String> drain(Duration quiet) throws InterruptedException {
      List<String> out = new ArrayList<>();
      String l;
      while ((l = lines.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
        out.add(l);
      }
      return out;
    }

    boolean alive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
