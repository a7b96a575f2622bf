package io.jswarm.worker.engine;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.linux.ConsoleSocket;
import io.jswarm.linux.Processes;
import io.jswarm.linux.Pty;
import io.jswarm.transport.http.HijackedStream;
import io.jswarm.transport.http.MultiplexedStream;
import io.jswarm.worker.container.LocalContainer;
import io.jswarm.worker.container.LocalContainers;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code docker exec} instance: made by {@code POST /containers/{id}/exec}, run once by {@code /exec/{id}/start}.
 *
 * <p>Without a terminal the runtime runs in the foreground ({@code runc exec ID CMD}) with the process's stdout and
 * stderr on pipes, sent as Docker's multiplexed stream, and the client's input on its stdin. With a terminal the
 * runtime makes the pseudo-terminal itself: {@code jswarm-monitor --reap-exec} runs {@code runc exec -d --tty
 * --console-socket S --pid-file P}, the runtime sends the terminal's master on S ({@link ConsoleSocket}), and the
 * monitor, a child subreaper, reaps the process and prints its exit status. The terminal's bytes go both ways raw.
 */
final class ExecSession {
  private static final Logger LOG = LoggerFactory.getLogger(ExecSession.class);
  /** How long the runtime may take to send the terminal. */
  static final Duration CONSOLE_TIMEOUT = Duration.ofSeconds(20);
  /** How long the terminal's last output is read after the process ended (a background child may hold it). */
  private static final long DRAIN_MS = 2000;

  /** What {@code POST /containers/{id}/exec} asked for (validated). */
  record Config(List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
      boolean attachStdin, boolean attachStdout, boolean attachStderr, int rows, int cols) {}

  final String id;
  final String containerId;
  final Config config;
  final Instant created = Instant.now();
  private final LocalContainers local;
  private volatile boolean started;
  private volatile boolean running;
  private volatile Integer exitCode;
  private volatile Long pid;
  private volatile Pty pty;
  private volatile int[] size;
  private volatile Instant ended;

  ExecSession(String id, LocalContainer c, Config config, LocalContainers local) {
    this.id = id;
    this.containerId = c.id();
    this.config = config;
    this.local = local;
    this.size = config.rows() > 0 && config.cols() > 0 ? new int[] {config.rows(), config.cols()} : null;
  }

  boolean running() {
    return running;
  }

  Integer exitCode() {
    return exitCode;
  }

  Long pid() {
    return pid;
  }

  /** When it ended, or null while it may still run. */
  Instant ended() {
    return ended;
  }

  /** Claims the session for one start: a second start is a 409, as dockerd answers. */
  synchronized void claim() {
    if (started) {
      throw new ConflictException("Error: Exec command " + id + " is already running or has run; create another");
    }
    local.running(containerId);
    started = true;
    running = true;
  }

  /** Sets the terminal's size now, or when the terminal comes. */
  void resize(int rows, int cols) {
    size = new int[] {rows, cols};
    Pty p = pty;
    if (p != null) {
      p.resize(rows, cols);
    }
  }

  /** Runs the process, streaming it on {@code stream} (null: detached, output discarded). Blocks until it ends. */
  void run(HijackedStream stream) {
    try {
      if (config.tty() && stream != null) {
        runOnTerminal(stream);
      } else {
        runWithPipes(stream);
      }
    } catch (Exception e) {
      LOG.warn("exec {} in container {} failed: {}", id, containerId, e.toString());
      if (exitCode == null) {
        exitCode = 126;
      }
      if (stream != null) {
        String msg = "jswarm: exec failed: " + e.getMessage() + "\r\n";
        stream.send(config.tty() ? msg.getBytes(StandardCharsets.UTF_8)
            : MultiplexedStream.frame(MultiplexedStream.STDERR, msg.getBytes(StandardCharsets.UTF_8)));
      }
    } finally {
      running = false;
      ended = Instant.now();
      if (stream != null) {
        stream.close();
      }
    }
  }

  private List<String> runtimeArgs(List<String> extra) {
    List<String> args = new ArrayList<>(List.of("exec"));
    args.addAll(extra);
    if (config.workingDir() != null) {
      args.add("--cwd");
      args.add(config.workingDir());
    }
    for (String e : config.env()) {
      args.add("--env");
      args.add(e);
    }
    if (config.user() != null) {
      args.add("--user");
      args.add(config.user());
    }
    args.add(containerId);
    args.addAll(config.cmd());
    return args;
  }

  private void runWithPipes(HijackedStream stream) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(local.runtimeCommand(runtimeArgs(List.of())));
    if (stream == null || !config.attachStdin()) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process p = pb.start();
    pid = p.pid();
    if (stream != null && config.attachStdin()) {
      thread("exec-stdin-" + id, () -> copyInput(stream, p.getOutputStream()));
    }
    Thread out = thread("exec-stdout-" + id, () -> copyOutput(p.getInputStream(), stream,
        config.attachStdout() ? MultiplexedStream.STDOUT : -1));
    Thread err = thread("exec-stderr-" + id, () -> copyOutput(p.getErrorStream(), stream,
        config.attachStderr() ? MultiplexedStream.STDERR : -1));
    if (stream != null) {
      stream.onClose(() -> {
        try {
          p.getOutputStream().close();
        } catch (IOException e) {
          // the process ended
        }
      });
    }
    int rc = p.waitFor();
    out.join();
    err.join();
    exitCode = rc;
  }

  private void runOnTerminal(HijackedStream stream) throws Exception {
    Path dir = local.execDir();
    String tag = id.substring(0, 12);
    Path pidFile = dir.resolve(tag + ".pid");
    Files.deleteIfExists(pidFile);
    try (ConsoleSocket console = ConsoleSocket.listen(dir.resolve(tag + ".sock"))) {
      List<String> cmd = new ArrayList<>(List.of(local.monitorBinary().toString(), "--reap-exec",
          pidFile.toString()));
      cmd.addAll(local.runtimeCommand(runtimeArgs(List.of("--detach", "--tty", "--console-socket",
          console.path().toString(), "--pid-file", pidFile.toString()))));
      Process monitor = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      java.util.concurrent.CompletableFuture<byte[]> errText = drain(monitor.getErrorStream());
      Pty terminal;
      try {
        terminal = console.receive(CONSOLE_TIMEOUT, () -> !monitor.isAlive());
      } catch (IOException e) {
        monitor.waitFor();
        String why = new String(errText.join(), StandardCharsets.UTF_8).trim();
        exitCode = 126;
        stream.send((why.isEmpty() ? e.getMessage() : why).concat("\r\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      try {
        pty = terminal;
        for (int i = 0; i < 40 && pid == null && monitor.isAlive(); i++) { // the runtime writes it as it exits
          readPid(pidFile);
          if (pid == null) {
            Thread.sleep(50);
          }
        }
        int[] s = size;
        if (s != null) {
          terminal.resize(s[0], s[1]);
        }
        Thread reader = thread("exec-pty-out-" + id, () -> copyTerminal(terminal, stream));
        if (config.attachStdin()) {
          thread("exec-pty-in-" + id, () -> {
            try {
              byte[] b;
              while ((b = stream.read()) != null) {
                terminal.write(b);
              }
            } catch (InterruptedException | RuntimeException e) {
              // the session ended
            }
          });
        }
        stream.onClose(this::hangUp);
        String status = new String(monitor.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        monitor.waitFor();
        if (pid == null) {
          readPid(pidFile);
        }
        reader.join(DRAIN_MS);
        if (status.startsWith("EXIT ")) {
          exitCode = Integer.parseInt(status.substring(5).trim());
        } else {
          exitCode = 126;
          String why = new String(errText.join(), StandardCharsets.UTF_8).trim();
          stream.send(("jswarm: the runtime failed (" + status + "): " + why + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        pty = null;
        terminal.close();
        Files.deleteIfExists(pidFile);
      }
    }
  }

  /** The client went away: the terminal is hung up, as closing a terminal does (the process gets SIGHUP). */
  private void hangUp() {
    Long p = pid;
    if (running && p != null && p > 0) {
      try {
        Processes.kill(p.intValue(), 1);
      } catch (RuntimeException e) {
        LOG.debug("exec {}: SIGHUP: {}", id, e.toString());
      }
    }
  }

  private void readPid(Path pidFile) {
    try {
      pid = Long.parseLong(Files.readString(pidFile).trim());
    } catch (IOException | NumberFormatException e) {
      // the runtime failed before writing it
    }
  }

  private static void copyTerminal(Pty terminal, HijackedStream stream) {
    byte[] buf = new byte[32 * 1024];
    try {
      int n;
      while ((n = terminal.read(buf, 200)) >= 0) {
        if (n > 0 && !stream.send(java.util.Arrays.copyOf(buf, n))) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("terminal read ended: {}", e.toString());
    }
  }

  private static void copyInput(HijackedStream stream, OutputStream stdin) {
    try (stdin) {
      byte[] b;
      while ((b = stream.read()) != null) {
        stdin.write(b);
        stdin.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the process or the client ended
    }
  }

  /** Copies a pipe to the stream as frames of {@code kind} (-1: read and dropped, so the process never blocks). */
  private static void copyOutput(InputStream in, HijackedStream stream, int kind) {
    byte[] buf = new byte[32 * 1024];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (n > 0 && kind >= 0 && stream != null) {
          stream.send(MultiplexedStream.frame(kind, java.util.Arrays.copyOf(buf, n)));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private static java.util.concurrent.CompletableFuture<byte[]> drain(InputStream in) {
    java.util.concurrent.CompletableFuture<byte[]> f = new java.util.concurrent.CompletableFuture<>();
    thread("exec-runtime-stderr", () -> {
      try (in) {
        f.complete(in.readAllBytes());
      } catch (IOException e) {
        f.complete(new byte[0]);
      }
    });
    return f;
  }

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
