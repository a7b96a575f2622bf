package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real docker client ({@code /usr/local/bin/docker}) against a jswarm daemon's API, through {@code DOCKER_HOST}.
 * A missing client fails the test (the README says where to get it); it is never skipped. Each instance has its
 * own client configuration directory ({@code docker login} keeps credentials there), removed when the JVM ends.
 */
public final class DockerCli {
  static final Path BINARY = Path.of("/usr/local/bin/docker");
  private static final Duration DEFAULT_MAX = Duration.ofSeconds(60);

  /** What one docker command printed, and its exit code. */
  public record Run(int rc, String out, String err) {
    public Run ok() {
      assertTrue(rc == 0, "docker failed (" + rc + "): " + err + out);
      return this;
    }

    /** Standard output, then standard error. */
    public String all() {
      return out + err;
    }
  }

  private final String host;
  /** The client's own configuration directory. */
  final Path config;

  /** {@code host}: a {@code DOCKER_HOST} value ({@code tcp://127.0.0.1:port} or {@code unix:///path}). */
  public DockerCli(String host) {
    assertTrue(Files.isExecutable(BINARY), "the docker client is missing at " + BINARY + ": install the static "
        + "client from https://download.docker.com/linux/static/stable/x86_64/ (README, 'Using the Docker CLI')");
    this.host = host;
    try {
      this.config = Files.createTempDirectory("docker-config-");
      Path dir = config; // the client may write into it (docker login): removed with what it holds when the JVM ends
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var all = Files.walk(dir)) {
          all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          // nothing left to remove
        }
      }, "docker-config-cleanup"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code docker args...} to its end (at most 60 s). */
  public Run run(String... args) throws IOException, InterruptedException {
    return run(DEFAULT_MAX, args);
  }

  /** Runs {@code docker args...} to its end (at most {@code max}). */
  public Run run(Duration max, String... args) throws IOException, InterruptedException {
    return exec(command(args), null, max);
  }

  /** Runs {@code docker args...} with {@code input} on its stdin (null: none). */
  public Run runWithInput(String input, String... args) throws IOException, InterruptedException {
    return exec(command(args), input, DEFAULT_MAX);
  }

  /**
   * Runs {@code docker args...} on a terminal ({@code script} gives it a pty) and types {@code input}: what a user
   * at a shell sees of {@code docker exec -it}.
   */
  public Run onTerminal(String input, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("script", "-q", "-e", "-c",
        BINARY + " " + String.join(" ", args), "/dev/null"));
    return exec(cmd, input, DEFAULT_MAX);
  }

  /** A long-running {@code docker args...} whose output (stdout and stderr together) is read line by line. */
  public Streaming start(String... args) throws IOException {
    ProcessBuilder pb = builder(command(args));
    pb.redirectErrorStream(true);
    return new Streaming(pb.start());
  }

  private static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(BINARY.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private ProcessBuilder builder(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DOCKER_HOST", host);
    pb.environment().remove("DOCKER_CONTEXT");
    pb.environment().put("DOCKER_CONFIG", config.toString());
    return pb;
  }

  private Run exec(List<String> cmd, String input, Duration max) throws IOException, InterruptedException {
    Process p = builder(cmd).start();
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (input != null) {
        for (String line : input.split("(?<=\n)")) { // typed line by line, as a user would
          in.write(line.getBytes(StandardCharsets.UTF_8));
          in.flush();
          Thread.sleep(300);
        }
      }
    } catch (IOException ended) {
      // the command ended before it read everything
    }
    boolean ended = p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    assertTrue(ended, String.join(" ", cmd) + " did not end within " + max + "; printed: "
        + new String(out.join(), StandardCharsets.UTF_8) + new String(err.join(), StandardCharsets.UTF_8));
    return new Run(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    }, r -> {
      Thread t = new Thread(r, "docker-output");
      t.setDaemon(true);
      t.start();
    });
  }

  /** A running docker command; close kills it. */
  public static final class Streaming implements AutoCloseable {
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
    public String await(String text, Duration max) throws InterruptedException {
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
    public List<String> drain(Duration quiet) throws InterruptedException {
      List<String> out = new ArrayList<>();
      String l;
      while ((l = lines.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
        out.add(l);
      }
      return out;
    }

    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
