package io.jswarm.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonAddress;
import io.jswarm.linux.Mounts;
import io.jswarm.worker.image.LocalImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One in-process daemon with the container executor (runc) and a busybox image: a 2-replica busybox httpd
 * service runs and answers in its containers' network namespaces; the containers survive the daemon
 * and are adopted when it comes back; {@code service rm} leaves no container, mount, cgroup or process.
 */
class ContainerDaemonTest {
  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private final String cgroupParent = "jswarm-hexec-e2e-" + tag;
  private Path root;
  private Daemon daemon;
  private ApiClient api;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (api != null) {
        api.close();
      }
      if (daemon != null) {
        daemon.close();
      }
    } finally {
      for (String pid : processes()) {
        new ProcessBuilder("kill", "-9", pid).start().waitFor();
      }
      if (root != null) {
        for (Path m : Mounts.mountsUnder(root)) {
          Mounts.unmount(m, true);
        }
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
      }
      new ProcessBuilder("sh", "-c", "for d in /sys/fs/cgroup/*/" + cgroupParent
          + "; do [ -d $d ] && rmdir $d/* $d 2>/dev/null; done; true").start().waitFor();
    }
  }

  @Test
  void aBusyboxHttpdServiceRunsAndServiceRmLeavesNothing() throws Exception {
    root = Files.createTempDirectory("hexec-e2e-");
    int cluster = freePort();
    int raft = freePort();
    DaemonOptions opts = new DaemonOptions(root.resolve("data"), root.resolve("exec"),
        List.of("unix://" + root.resolve("api.sock")), cgroupParent, "hexec-node", cluster, raft, "container",
        "runc", 10_000, Map.of());
    daemon = new Daemon(opts, "test", busyboxImages(root.resolve("image")));
    daemon.start();
    api = new ApiClient(DaemonAddress.parse("unix://" + root.resolve("api.sock")));
    SwarmRequests.Init init = new SwarmRequests.Init();
    init.listenAddr = "127.0.0.1:" + cluster;
    init.advertiseAddr = "127.0.0.1:" + cluster;
    assertEquals(200, api.post("/swarm/init", init).status());

    Service.ServiceSpec spec = new Service.ServiceSpec();
    spec.name = "web";
    spec.mode = ServiceMode.replicated(2);
    spec.taskTemplate = new TaskSpec();
    spec.taskTemplate.containerSpec = new ContainerSpec();
    spec.taskTemplate.containerSpec.image = "busybox";
    spec.taskTemplate.containerSpec.args = List.of("httpd", "-f", "-p", "8080", "-h", "/www");
    ApiClient.Response created = api.post("/services/create", spec);
    assertEquals(201, created.status(), created.text());
    String serviceId = created.tree().get("ID").asText();

    List<Task> running = waitFor("2 running tasks", 30_000, () -> {
      List<Task> r = tasks(serviceId).stream().filter(t -> t.status.state == TaskState.RUNNING
          && t.status.containerStatus != null && t.status.containerStatus.pid != null).toList();
      return r.size() == 2 ? r : null;
    });
    for (Task t : running) {
      long pid = t.status.containerStatus.pid;
      String answer = waitFor("httpd of " + t.id, 10_000, () -> {
        Process p = new ProcessBuilder("nsenter", "-t", Long.toString(pid), "-n", "/bin/busybox", "wget", "-qO-",
            "http://127.0.0.1:8080/").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : null;
      });
      assertEquals("hello from h-exec\n", answer);
    }

    // The daemon goes away (its agent and executor stop; nothing stops the containers) and comes back: the
    // same containers are adopted, not replaced.
    List<Long> pids = running.stream().map(t -> t.status.containerStatus.pid).sorted().toList();
    api.close();
    daemon.close();
    for (long pid : pids) {
      assertTrue(Files.exists(Path.of("/proc", Long.toString(pid))), "container " + pid + " survived the daemon");
    }
    java.time.Instant restarted = java.time.Instant.now();
    daemon = new Daemon(opts, "test", busyboxImages(root.resolve("image2")));
    daemon.start();
    api = new ApiClient(DaemonAddress.parse("unix://" + root.resolve("api.sock")));
    // An adopted container's task is reported running again by the new agent.
    List<Task> after = waitFor("tasks reported by the restarted daemon", 30_000, () -> {
      List<Task> r = tasks(serviceId).stream().filter(t -> t.desiredState == TaskState.RUNNING
          && java.time.Instant.parse(t.status.timestamp).isAfter(restarted)).toList();
      return r.size() == 2 ? r : null;
    });
    assertEquals(2, after.size());
    assertEquals(pids, after.stream().map(t -> t.status.containerStatus.pid).sorted().toList(),
        "the running tasks are the adopted containers: " + after.stream().map(t -> t.status.state).toList());
    assertTrue(after.stream().allMatch(t -> t.status.state == TaskState.RUNNING));

    assertEquals(200, api.delete("/services/" + serviceId).status());
    waitFor("containers removed", 30_000, () ->
        children(opts.execRoot().resolve("containers")).isEmpty()
            && children(opts.dataRoot().resolve("containers")).isEmpty() && processes().isEmpty() ? true : null);
    assertEquals(List.of(), Mounts.mountsUnder(root));
    List<Path> cgroups = new ArrayList<>();
    try (DirectoryStream<Path> hs = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
      for (Path h : hs) {
        Path p = h.resolve(cgroupParent);
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.list(p)) {
            s.filter(Files::isDirectory).forEach(cgroups::add);
          }
        }
      }
    }
    assertEquals(List.of(), cgroups);
  }

  private List<Task> tasks(String serviceId) {
    return Arrays.stream(api.get("/tasks", Task[].class)).filter(t -> serviceId.equals(t.serviceId)).toList();
  }

  private List<String> processes() throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          String cg = Files.readString(p.resolve("cgroup"));
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cg.contains("/" + cgroupParent + "/") || (root != null && cmd.contains(root.toString()))) {
            out.add(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // exited
        }
      }
    }
    return out;
  }

  private static List<String> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  interface Probe<T> {
    T get() throws Exception;
  }

  private static <T> T waitFor(String what, long ms, Probe<T> probe) throws Exception {
    long end = System.nanoTime() + ms * 1_000_000;
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A one-layer image from the host's static busybox, with /www/index.html. */
  private static io.jswarm.worker.image.ImageProvider busyboxImages(Path dir) throws Exception {
    Path layer = dir.resolve("layer0");
    Files.createDirectories(layer.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), layer.resolve("bin/busybox"));
    Process p = new ProcessBuilder("/bin/busybox", "--list").start();
    String applets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    for (String a : applets.split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) {
        Files.createSymbolicLink(layer.resolve("bin").resolve(a.trim()), Path.of("busybox"));
      }
    }
    for (String d : List.of("etc", "tmp", "www", "proc", "sys", "dev")) {
      Files.createDirectories(layer.resolve(d));
    }
    Files.writeString(layer.resolve("www/index.html"), "hello from h-exec\n");
    LocalImage image = new LocalImage("sha256:" + "0".repeat(64), "busybox",
        new LocalImage.RunConfig(null, List.of("sh"), List.of("PATH=/bin"), "/", null, null, null, null, null),
        List.of(layer));
    return ref -> {
      if (!ref.equals("busybox")) {
        throw new IOException("no image " + ref);
      }
      return image;
    };
  }
}
