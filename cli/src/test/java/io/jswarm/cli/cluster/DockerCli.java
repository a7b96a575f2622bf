package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real docker client ({@code /usr/local/bin/docker}) against a jswarm daemon's API. A missing client fails the
 * test (the README says where to get it); it is never skipped.
 */
final class DockerCli {
  static final Path BINARY = Path.of("/usr/local/bin/docker");

  /** What one docker command printed. */
  record Run(int rc, String out, String err) {
    Run ok() {
      assertTrue(rc == 0, "docker failed (" + rc + "): " + err + out);
      return this;
    }
  }

  private final String host;
  /** The client's own configuration directory ({@code docker login} keeps credentials there). */
  final Path config;

  /** {@code host}: a {@code DOCKER_HOST} value ({@code tcp://127.0.0.1:port}). */
  DockerCli(String host) {
    assertTrue(Files.isExecutable(BINARY), "the docker client is missing at " + BINARY + ": install the static "
        + "client from https://download.docker.com/linux/static/stable/x86_64/ (README, 'Using the Docker CLI')");
    this.host = host;
    try {
      this.config = Files.createTempDirectory("docker-config-");
      Path dir = config; // the client may write into it (docker login): removed with what it holds when the JVM ends
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var all = Files.walk(dir)) {
          all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          // nothing left to remove
        }
      }, "docker-config-cleanup"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Run run(String... args) throws Exception {
    return runWithInput(null, args);
  }

  /** Runs {@code docker args...} with {@code input} on its stdin (null: none). */
  Run runWithInput(String input, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(BINARY.toString());
    cmd.addAll(List.of(args));
    return exec(cmd, input);
  }

  /**
   * Runs {@code docker args...} on a terminal ({@code script} gives it a pty) and types {@code input}: what a user
   * at a shell sees of {@code docker exec -it}.
   */
  Run onTerminal(String input, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("script", "-q", "-e", "-c",
        BINARY + " " + String.join(" ", args), "/dev/null"));
    return exec(cmd, input);
  }

  private Run exec(List<String> cmd, String input) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DOCKER_HOST", host);
    pb.environment().put("DOCKER_CONFIG", config.toString());
    Process p = pb.start();
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
    java.util.concurrent.CompletableFuture<byte[]> out = drain(p.getInputStream());
    java.util.concurrent.CompletableFuture<byte[]> err = drain(p.getErrorStream());
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    assertTrue(ended, String.join(" ", cmd) + " did not end within 60 s; printed: "
        + new String(out.join(), StandardCharsets.UTF_8));
    return new Run(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  private static java.util.concurrent.CompletableFuture<byte[]> drain(java.io.InputStream in) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    }, r -> new Thread(r, "docker-output").start());
  }
}
