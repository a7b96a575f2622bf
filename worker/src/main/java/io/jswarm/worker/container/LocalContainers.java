package io.jswarm.worker.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers of this node's executor as the Docker API sees them ({@code docker ps}, {@code inspect},
 * {@code exec}): read from their state directories, so that containers adopted after a daemon restart are listed
 * like the others. The task each runs is kept in its state directory ({@code task.json}) when it is prepared.
 */
public final class LocalContainers {
  private static final Logger LOG = LoggerFactory.getLogger(LocalContainers.class);
  static final String TASK_FILE = "task.json";
  /** Signals {@code docker kill --signal} may send (names without SIG, or numbers 1-64). */
  private static final Set<String> SIGNALS = Set.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
      "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
      "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  private final ContainerExecutor ex;

  LocalContainers(ContainerExecutor ex) {
    this.ex = ex;
  }

  /** Every container with a state directory on this node, oldest first. */
  public List<LocalContainer> all() {
    List<LocalContainer> out = new ArrayList<>();
    for (String id : ContainerExecutor.children(ex.config.dataRoot().resolve("containers"))) {
      LocalContainer c = read(id);
      if (c != null) {
        out.add(c);
      }
    }
    out.sort(Comparator.comparing(LocalContainer::created));
    return out;
  }

  /**
   * The container named by {@code ref}: its id, its name (with or without the leading slash), or a unique prefix of
   * its id, as dockerd resolves them.
   *
   * @throws NotFoundException "No such container: ref"
   * @throws InvalidArgumentException a prefix several containers share
   */
  public LocalContainer find(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new InvalidArgumentException("container: give a container id or name");
    }
    String name = ref.startsWith("/") ? ref.substring(1) : ref;
    List<LocalContainer> all = all();
    for (LocalContainer c : all) {
      if (c.id().equals(ref) || c.name().equals(name)) {
        return c;
      }
    }
    List<LocalContainer> prefixed = all.stream().filter(c -> c.id().startsWith(ref)).toList();
    if (prefixed.size() > 1) {
      throw new InvalidArgumentException("multiple containers found with provided prefix: " + ref);
    }
    if (prefixed.isEmpty()) {
      throw new NotFoundException("No such container: " + ref);
    }
    return prefixed.get(0);
  }

  /** {@link #find} that must be running: else 409 "Container ... is not running", as dockerd answers. */
  public LocalContainer running(String ref) {
    LocalContainer c = find(ref);
    if (!c.running()) {
      throw new ConflictException("Container " + c.id() + " is not running");
    }
    return c;
  }

  /**
   * Sends {@code signal} ({@code KILL}, {@code SIGTERM}, {@code 9} ...; empty is KILL) to the container's init
   * through the OCI runtime. The task's controller sees the container end and reports it as a swarm task would.
   */
  public void kill(LocalContainer c, String signal) throws IOException, InterruptedException {
    String s = signal == null || signal.isBlank() ? "KILL" : signal.trim().toUpperCase(java.util.Locale.ROOT);
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    boolean number = s.matches("[0-9]{1,2}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 64;
    if (!number && !SIGNALS.contains(s)) {
      throw new InvalidArgumentException("signal: \"" + signal + "\" is not a signal; give a name such as KILL, "
          + "SIGTERM or HUP, or a number from 1 to 64");
    }
    if (!c.running()) {
      throw new ConflictException("Cannot kill container: " + c.id() + ": Container " + c.id() + " is not running");
    }
    ex.runtime(10, "kill", c.id(), s);
  }

  /** The OCI runtime command line running {@code args} ({@code exec ...}) against this node's containers. */
  public List<String> runtimeCommand(List<String> args) {
    return ex.runtimeCommand(args);
  }

  /** The monitor binary (its {@code --reap-exec} mode runs a detached runtime exec and waits for its process). */
  public Path monitorBinary() {
    return ex.monitorBinary;
  }

  /**
   * {@code user} ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}) resolved against the container's
   * own {@code /etc/passwd} and {@code /etc/group} as {@code uid:gid}, for {@code exec --user}; null for a blank one
   * (the process runs as the container's user).
   */
  public String resolveUser(LocalContainer c, String user) {
    if (user == null || user.isBlank()) {
      return null;
    }
    try {
      ContainerUser u = ContainerUser.resolve(user.trim(), ex.config.bundleDir(c.id()).resolve("rootfs"));
      return u.uid() + ":" + u.gid();
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("User: " + e.getMessage().replaceFirst("^ContainerSpec\\.User: ", ""));
    }
  }

  /** {@code runc} or {@code crun}. */
  public String runtimeName() {
    return ex.config.runtime();
  }

  /** Where this node keeps exec sockets and pid files (under the exec root, 0700). */
  public Path execDir() throws IOException {
    return ContainerExecutor.privateDir(ex.config.execRoot().resolve("exec"));
  }

  private LocalContainer read(String id) {
    Path dir = ex.config.stateDir(id);
    Task task = null;
    Instant created;
    try {
      created = Files.readAttributes(dir, BasicFileAttributes.class).creationTime().toInstant();
      Path tf = ex.config.bundleDir(id).resolve(TASK_FILE);
      if (Files.exists(tf)) {
        task = Json.mapper().readValue(tf.toFile(), Task.class);
      }
    } catch (IOException e) {
      LOG.debug("container {}: unreadable state ({}); not listed", id, e.toString());
      return null;
    }
    Path pidFile = dir.resolve("pid");
    Instant started = null;
    try {
      started = Files.exists(pidFile) ? Files.getLastModifiedTime(pidFile).toInstant() : null;
    } catch (IOException e) {
      // not started
    }
    LocalContainer.Exit exit = null;
    Path exitFile = dir.resolve("exit");
    if (Files.exists(exitFile)) {
      try {
        JsonNode x = Json.mapper().readTree(exitFile.toFile());
        exit = new LocalContainer.Exit(x.path("ExitCode").asLong(-1), x.path("OOMKilled").asBoolean(false),
            x.path("FinishedAt").asText(""));
      } catch (IOException e) {
        exit = new LocalContainer.Exit(-1, false, "");
      }
    }
    Long pid = ContainerExecutor.readPid(pidFile);
    if (pid != null && exit == null && !ContainerExecutor.alive(pid)) {
      pid = null;
    }
    return new LocalContainer(id, task, dir, exit == null ? pid : null, created, started, exit,
        ex.config.cgroupParent() + "/" + id, process(ex.config.bundleDir(id).resolve("config.json")));
  }

  private static LocalContainer.Process process(Path config) {
    try {
      JsonNode c = Json.mapper().readTree(config.toFile());
      JsonNode p = c.path("process");
      List<String> args = new ArrayList<>();
      p.path("args").forEach(a -> args.add(a.asText()));
      List<String> env = new ArrayList<>();
      p.path("env").forEach(a -> env.add(a.asText()));
      JsonNode u = p.path("user");
      String user = u.has("uid") ? u.path("uid").asLong() + ":" + u.path("gid").asLong() : null;
      return new LocalContainer.Process(List.copyOf(args), List.copyOf(env), p.path("cwd").asText(null), user,
          c.path("hostname").asText(null));
    } catch (IOException e) {
      return LocalContainer.Process.NONE;
    }
  }

  /**
   * Keeps the task beside its container (Container.prepare): what {@code docker inspect} shows of it. It goes in
   * the bundle under the exec root (0700, beside the runtime's config.json), never in the data root: the spec's
   * environment may hold passwords, and nothing of the cluster's state is kept in the clear in the data root.
   */
  static void keepTask(Path bundleDir, Task task) throws IOException {
    Path tmp = bundleDir.resolve(TASK_FILE + ".tmp");
    java.nio.file.Files.write(tmp, Json.toApiBytes(task)); // without the registry credentials
    Files.move(tmp, bundleDir.resolve(TASK_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
