package io.jswarm.worker.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.Processes;
import io.jswarm.worker.agent.TaskRuntime;
import io.jswarm.worker.discovery.EmbeddedDns;
import io.jswarm.worker.image.LocalImage;
import io.jswarm.worker.network.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's container in the {@link ContainerExecutor}. The container id is the task id. A container whose
 * monitor already wrote its {@code pid} file was started by an earlier daemon process and is adopted: its exit
 * is read from the monitor's exit file like any other.
 */
final class Container implements TaskRuntime {
  private static final Logger log = LoggerFactory.getLogger(Container.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  final String id;
  private final ContainerExecutor ex;
  private final Task task;
  private final Path state;
  private final Path bundle;
  private final Path rootfs;
  private final CompletableFuture<Exit> exit = new CompletableFuture<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final boolean adopted;
  private volatile boolean started;
  private volatile Long pid;
  private volatile String stopSignal = "SIGTERM";
  private final ContainerHealth health;
  private final LimitWatch limitWatch;
  private long lastMonitorCheck;

  Container(ContainerExecutor ex, Task task) {
    this.ex = ex;
    this.task = task;
    this.id = task.id;
    this.state = ex.config.stateDir(id);
    this.bundle = ex.config.bundleDir(id);
    this.rootfs = bundle.resolve("rootfs");
    this.health = new ContainerHealth(id, ex, state, exit::isDone, this::healthChanged, this::stopUnhealthy);
    this.limitWatch = new LimitWatch(task.spec == null ? 0 : Limits.of(task.spec.resources).pids(),
        Cgroups.pids(ex.config.cgroupParent(), id));
    this.adopted = Files.exists(state.resolve("pid"));
    if (adopted) {
      started = true;
      pid = ContainerExecutor.readPid(state.resolve("pid"));
      loadSettings();
      if (Files.isDirectory(bundle) && !Files.exists(bundle.resolve(LocalContainers.TASK_FILE))) {
        try { // started by a jswarm that did not keep it: docker ps shows it with its names and labels
          LocalContainers.keepTask(bundle, task);
        } catch (IOException e) {
          log.debug("container {}: task not kept: {}", id, e.toString());
        }
      }
      if (TaskFiles.neverStarted(state)) {
        log.warn("container {}: created by an earlier daemon that ended before starting it; deleting it (the task "
            + "ends and is replaced)", id);
        try {
          ex.runtime(10, "delete", "-f", id);
        } catch (IOException | RuntimeException e) {
          log.warn("container {}: {}", id, e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ex.watch(this);
      if (!Files.exists(state.resolve("exit"))) {
        startHealth();
        reattachDiscovery();
      }
    }
  }

  @Override
  public boolean adopted() {
    return adopted;
  }

  @Override
  public String containerId() {
    return started ? id : null;
  }

  @Override
  public Long pid() {
    return exit.isDone() ? null : pid;
  }

  @Override
  public String health() {
    return health.status();
  }

  @Override
  public String limitReached() {
    return limitWatch.reached();
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public List<io.jswarm.api.types.PortConfig> publishedPorts() {
    return published;
  }

  @Override
  public CompletableFuture<Exit> exit() {
    return exit;
  }

  /** Where the container's embedded DNS runs (kept in the settings so that an adopted container gets it again). */
  private volatile ContainerSettings.DiscoveryAttachment discovery;

  /** Host-mode ports the node published for this task (from its sandbox; kept in the settings for adoption). */
  private volatile List<io.jswarm.api.types.PortConfig> published = List.of();

  /** The task's limits as this node honours them (set by prepare). */
  private volatile Limits limits;

  /** Settings of the spec this node discarded, with why (kept in the settings so an adopted task says so too). */
  private volatile List<String> warnings = List.of();

  // ---- prepare ----

  @Override
  public void prepare() throws Exception {
    if (adopted) {
      return;
    }
    ContainerSpec spec = task.spec == null ? null : task.spec.containerSpec;
    if (spec == null || spec.image == null || spec.image.isBlank()) {
      throw new IllegalArgumentException("ContainerSpec.Image: the task names no image");
    }
    try {
      LocalImage image = ex.images.prepare(spec.image, task.registryAuth);
      ContainerExecutor.privateDir(state);
      ContainerExecutor.privateDir(bundle);
      UsernsRemap userns = UsernsSetup.of(ex.config, task);
      if (userns != null) {
        UsernsSetup.openBundle(bundle, userns);
      }
      LocalContainers.keepTask(bundle, task);
      Files.createDirectories(state.resolve("upper"));
      Files.createDirectories(state.resolve("work"));
      Files.createDirectories(rootfs);
      Sandbox sandbox = ex.networks.create(task);
      published = sandbox.publishedPorts() == null ? List.of() : List.copyOf(sandbox.publishedPorts());
      BandwidthLimit.apply(sandbox.netns(), BandwidthLimit.of(task));
      if (!Mounts.isMountPoint(rootfs)) {
        List<Path> lower = new ArrayList<>(image.layers());
        java.util.Collections.reverse(lower);
        UsernsSetup.mountRootfs(lower, state.resolve("upper"), state.resolve("work"), rootfs, bundle.resolve("l"),
            userns);
      }
      LocalImage.RunConfig ic = image.config();
      String hostname = spec.hostname != null && !spec.hostname.isBlank() ? spec.hostname
          : id.substring(0, Math.min(12, id.length()));
      List<Map<String, Object>> mounts = new ArrayList<>();
      List<String> dnsNetworks = discoveryNetworks(task);
      boolean embeddedDns = ex.discovery != null && !dnsNetworks.isEmpty() && sandbox.netns() != null;
      List<String> upstreams = EtcFiles.write(state, spec, sandbox, hostname, mounts, embeddedDns);
      if (userns != null) { // the container's root may edit its /etc/hosts, as in Docker
        for (Map<String, Object> m : mounts) {
          UsernsSetup.own(Path.of((String) m.get("source")), userns, 0, 0);
        }
      }
      if (embeddedDns) {
        // After the sandbox, before the container starts: its first lookup is answered.
        ex.discovery.attach(id, sandbox.netns(), dnsNetworks, EmbeddedDns.upstreamsFrom(upstreams));
        discovery = new ContainerSettings.DiscoveryAttachment(sandbox.netns().toString(), dnsNetworks, upstreams);
      }
      mounts.addAll(TaskMounts.of(spec, ex.volumes, id, limitWatch, userns));
      mounts.addAll(TaskFiles.mounts(task, ex.dependencies, state, userns)); // the secrets tmpfs is empty here
      String user = spec.user != null && !spec.user.isBlank() ? spec.user : ic == null ? null : ic.user();
      String cwd = spec.dir != null && !spec.dir.isBlank() ? spec.dir
          : ic != null && ic.workingDir() != null && !ic.workingDir().isBlank() ? ic.workingDir() : "/";
      limits = honoured(Limits.of(task.spec.resources));
      java.util.Set<String> caps = OciSpec.capabilities(spec);
      Map<String, Object> oci = OciSpec.config(OciSpec.args(spec, ic), OciSpec.env(spec, ic, hostname), cwd,
          ContainerUser.resolve(user, rootfs), hostname, Boolean.TRUE.equals(spec.readOnly),
          caps, mounts, sandbox.netns(), limits,
          ex.managesCgroups() ? null : "/" + ex.config.cgroupParent() + "/" + id, spec.sysctls, spec.ulimits,
          OciSpec.Sandboxing.of(spec, caps), userns);
      JSON.writeValue(bundle.resolve("config.json").toFile(), oci);
      stopSignal = spec.stopSignal != null && !spec.stopSignal.isBlank() ? spec.stopSignal
          : ic != null && ic.stopSignal() != null && !ic.stopSignal().isBlank() ? ic.stopSignal() : "SIGTERM";
      health.configure(HealthConfig.of(spec.healthcheck, ic == null ? null : ic.healthcheck()));
      saveSettings();
    } catch (Exception e) {
      try {
        ex.removeLeftovers(id);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * {@code wanted} without what this node's kernel cannot do, each discarded setting logged and kept in
   * {@link #warnings}, as Docker's daemon discards them ("Your kernel does not support Block I/O weight ...").
   */
  private Limits honoured(Limits wanted) {
    String blkio = ex.missingFeatures().get(io.jswarm.api.types.Node.FEATURE_BLKIO_WEIGHT);
    if (wanted.blkioWeight() == 0 || blkio == null) {
      return wanted;
    }
    String w = "Resources.Limits.BlkioWeight " + wanted.blkioWeight() + " discarded: your kernel does not support "
        + "Block I/O weight (" + blkio + ")";
    log.warn("container {}: {}", id, w);
    warnings = List.of(w);
    return wanted.withoutBlkioWeight();
  }

  @Override
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The networks the container's embedded DNS answers for, in attachment order: its overlay attachments except the
   * ingress network (as in Docker, the routing mesh's network has no service discovery).
   */
  static List<String> discoveryNetworks(Task task) {
    List<String> out = new ArrayList<>();
    if (task.networksAttachments == null) {
      return out;
    }
    for (io.jswarm.api.types.NetworkAttachment a : task.networksAttachments) {
      if (a == null || a.network == null || a.network.id == null || out.contains(a.network.id)) {
        continue;
      }
      if (a.network.spec != null && Boolean.TRUE.equals(a.network.spec.ingress)) {
        continue;
      }
      out.add(a.network.id);
    }
    return out;
  }

  /** After a daemon restart: the adopted container gets its DNS and VIP rules again (sockets die with a process). */
  private void reattachDiscovery() {
    ContainerSettings.DiscoveryAttachment d = discovery;
    if (d == null || ex.discovery == null) {
      return;
    }
    try {
      ex.discovery.attach(id, Path.of(d.netns()), d.networks(), EmbeddedDns.upstreamsFrom(d.upstreams()));
    } catch (IOException | RuntimeException e) {
      log.warn("container {}: service discovery not restored (names and VIPs will not resolve in it): {}", id,
          e.toString());
    }
  }

  private void saveSettings() throws IOException {
    new ContainerSettings(stopSignal, published, warnings, discovery, health.config()).save(state);
  }

  private void loadSettings() {
    try {
      ContainerSettings s = ContainerSettings.load(state);
      stopSignal = s.stopSignal();
      published = s.published();
      warnings = s.warnings();
      discovery = s.discovery();
      if (s.health() != null) {
        health.configure(s.health());
      }
    } catch (IOException e) {
      log.warn("container {}: its settings are unreadable ({}); stopping with SIGTERM, no health check", id,
          e.toString());
    }
  }

  // ---- start, exit ----

  @Override
  public void start() throws Exception {
    if (adopted || started) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of(ex.monitorBinary.toString(), "-d", state.toString(),
        "-r", ex.runtimeBinary.toString(), "-R", ex.config.runtimeRoot().toString(), "-b", bundle.toString(),
        "-i", id, "-s", Long.toString(ex.config.logMaxSize()), "-n", Integer.toString(ex.config.logMaxFiles()),
        "-m", Cgroups.memory(ex.config.cgroupParent(), id).toString(),
        "-p", Cgroups.pids(ex.config.cgroupParent(), id).toString()));
    if (ex.managesCgroups()) {
      Limits l = limits != null ? limits : honoured(Limits.of(task.spec.resources));
      for (Path d : Cgroups.create(ex.config.cgroupParent(), id, l)) {
        cmd.add("-c");
        cmd.add(d.toString());
      }
    }
    for (String g : ex.runtimeGlobals()) {
      cmd.add("-g");
      cmd.add(g);
    }
    if (ex.managesCgroups()) {
      cmd.add("-H");
    }
    boolean secrets = !TaskFiles.secretRefs(task).isEmpty();
    if (secrets) {
      cmd.add("-C"); // created, not started: the secrets go into its tmpfs first
      TaskFiles.awaitingStart(state);
    }
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    byte[] err;
    byte[] out;
    try (var o = p.getInputStream(); var e = p.getErrorStream()) {
      out = o.readAllBytes();
      err = e.readAllBytes();
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("the container monitor did not report within 60 s");
    }
    String text = new String(out, StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0 || !text.startsWith("OK ")) {
      String why = new String(err, StandardCharsets.UTF_8).trim();
      Cgroups.remove(ex.config.cgroupParent(), id);
      throw new IOException("starting the container failed: " + (why.isEmpty() ? text : why));
    }
    pid = Long.parseLong(text.substring(3).trim());
    if (secrets) {
      try {
        TaskFiles.writeSecrets(task, ex.dependencies, pid, UsernsSetup.of(ex.config, task));
        ex.runtime(30, "start", id);
        TaskFiles.started(state);
      } catch (IOException | RuntimeException e) {
        try {
          ex.runtime(10, "delete", "-f", id);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        Cgroups.remove(ex.config.cgroupParent(), id);
        throw new IOException("starting the container failed: " + e.getMessage(), e);
      }
    }
    health.containerStarted();
    started = true;
    ex.watch(this);
    startHealth();
  }

  /** Called by the executor's timer: completes {@link #exit} once the monitor wrote the exit file. */
  void poll() {
    if (exit.isDone()) {
      ex.unwatch(this);
      return;
    }
    Path exitFile = state.resolve("exit");
    if (Files.exists(exitFile)) {
      try {
        JsonNode x = JSON.readTree(exitFile.toFile());
        boolean oom = x.path("OOMKilled").asBoolean(false);
        long code = x.path("ExitCode").asLong(-1);
        limitWatch.exited(x.path("PidsLimitHits").asLong(0));
        finish(new Exit(code, oom, health.madeItUnhealthy() ? health.unhealthyReason() : null));
      } catch (IOException e) {
        finish(new Exit(-1, false, "the container's exit file is unreadable: " + e.getMessage()));
      }
      return;
    }
    long now = System.nanoTime();
    if (now - lastMonitorCheck > 1_000_000_000L) {
      lastMonitorCheck = now;
      if (limitWatch.poll()) {
        log.info("container {}: {}", id, limitWatch.reached());
        healthChanged();
      }
      Long monitor = ContainerExecutor.readPid(state.resolve("monitor.pid"));
      if (!ContainerExecutor.alive(monitor) && !Files.exists(exitFile)) {
        finish(new Exit(-1, false, "the container's monitor (pid " + monitor + ") ended without recording the "
            + "exit status"));
      }
    }
  }

  private void finish(Exit x) {
    stopHealth();
    ex.unwatch(this);
    exit.complete(x);
  }

  // ---- stop, remove ----

  @Override
  public void shutdown(Duration grace) throws Exception {
    if (!started || exit.isDone()) {
      return;
    }
    stopHealth();
    stop(grace);
  }

  private void stop(Duration grace) throws Exception {
    try {
      ex.runtime(10, "kill", id, stopSignal);
    } catch (IOException e) {
      log.debug("container {}: kill {}: {}", id, stopSignal, e.getMessage());
    }
    if (awaitExit(grace.toMillis())) {
      return;
    }
    try {
      ex.runtime(10, "kill", id, "KILL");
    } catch (IOException e) {
      log.debug("container {}: kill KILL: {}", id, e.getMessage());
      Long p = pid;
      if (p != null && ContainerExecutor.alive(p)) {
        Processes.kill(p.intValue(), Processes.SIGKILL);
      }
    }
    if (!awaitExit(10_000)) {
      throw new IOException("container " + id + " did not end within 10 s of SIGKILL");
    }
  }

  private boolean awaitExit(long ms) throws InterruptedException {
    try {
      exit.get(Math.max(0, ms), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  @Override
  public void remove() throws Exception {
    stopHealth();
    if (started && !exit.isDone()) {
      try {
        stop(Duration.ZERO);
      } catch (IOException e) {
        log.warn("container {}: {}", id, e.getMessage());
      }
    }
    ex.unwatch(this);
    ex.removeLeftovers(id);
  }

  // ---- health ----

  void startHealth() {
    health.start();
  }

  void stopHealth() {
    health.stop();
  }

  private void healthChanged() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.warn("container {}: change listener failed: {}", id, e.toString());
      }
    }
  }

  private void stopUnhealthy() {
    try {
      stop(stopGrace(task));
    } catch (Exception e) {
      log.warn("container {}: stopping the unhealthy container failed: {}", id, e.toString());
    }
  }

  /** The task's stop grace period (its spec's, or Docker's 10 s). */
  private static Duration stopGrace(Task t) {
    Long g = t.spec == null || t.spec.containerSpec == null ? null : t.spec.containerSpec.stopGracePeriod;
    return g == null ? Duration.ofSeconds(10) : Duration.ofNanos(g);
  }
}
