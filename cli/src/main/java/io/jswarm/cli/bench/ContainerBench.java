package io.jswarm.cli.bench;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.linux.Mounts;
import io.jswarm.worker.agent.TaskRuntime;
import io.jswarm.worker.container.ContainerConfig;
import io.jswarm.worker.container.ContainerExecutor;
import io.jswarm.worker.image.LocalImage;
import io.jswarm.worker.network.TaskNetworking;
import io.jswarm.worker.volume.VolumeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time from "run this task" to its process running: the container executor's prepare + start of a busybox
 * task (overlayfs rootfs, bundle, /etc files, monitor, {@code runc run -d}) against {@code runc run -d} of the
 * very same bundle alone. The image is made from the host's static busybox; nothing goes to the network.
 * Each run is torn down (untimed) before the next; the first {@code --warmup} runs are not counted.
 */
@Command(name = "container", description = "Executor prepare+start of a busybox task vs runc run -d alone.")
public final class ContainerBench implements Callable<Integer> {
  @Option(names = "--runs", defaultValue = "30", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", defaultValue = "5", description = "Runs not counted (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--runtime", defaultValue = "runc", description = "runc or crun (default: ${DEFAULT-VALUE}).")
  String runtime;

  @Option(names = "--busybox", defaultValue = "/bin/busybox",
      description = "A static busybox to build the image from (default: ${DEFAULT-VALUE}).")
  Path busybox;

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("--runs must be at least 1 and --warmup at least 0");
    }
    if (!Files.isExecutable(busybox)) {
      throw new IllegalArgumentException("--busybox: " + busybox + " is not an executable (apt-get install "
          + "busybox-static)");
    }
    Path root = Files.createTempDirectory("jswarm-bench-container");
    String cgroupParent = "jswarm-bench-" + ProcessHandle.current().pid();
    ContainerConfig config = new ContainerConfig(root.resolve("data"), root.resolve("exec"), cgroupParent, runtime);
    LocalImage image = busyboxImage(root.resolve("image"));
    VolumeProvider noVolumes = new VolumeProvider() {
      @Override
      public Path acquire(String name, Map<String, String> labels, String taskId) throws IOException {
        throw new IOException("no volumes in this benchmark");
      }

      @Override
      public void release(String taskId) {}

      @Override
      public void retainOnly(Set<String> taskIds) {}
    };
    ContainerExecutor ex = new ContainerExecutor(config, ref -> image, TaskNetworking.NONE, noVolumes,
        Clock.systemUTC());
    List<Long> executor = new ArrayList<>();
    List<Long> bare = new ArrayList<>();
    List<Long> prepare = new ArrayList<>();
    try {
      for (int i = 0; i < warmup + runs; i++) {
        Task t = task(i);
        long t0 = System.nanoTime();
        TaskRuntime r = ex.runtime(t);
        r.prepare();
        long prepared = System.nanoTime();
        r.start();
        long took = System.nanoTime() - t0;
        if (i >= warmup) {
          prepare.add(prepared - t0);
        }
        if (r.pid() == null || !Files.exists(Path.of("/proc", r.pid().toString()))) {
          throw new IllegalStateException("the container's process is not running after start");
        }
        r.remove();
        if (i >= warmup) {
          executor.add(took);
        }
      }
      // The same bundle, run by the runtime alone.
      Task t = task(-1);
      TaskRuntime r = ex.runtime(t);
      r.prepare();
      Path bundle = config.bundleDir(t.id);
      Path runtimeRoot = root.resolve("bare-runtime");
      String bin = ContainerExecutor.findRuntime(runtime).toString();
      Path bareOut = root.resolve("bare.out");
      List<String> globals = runtime.equals("crun") ? List.of("--cgroup-manager=disabled") : List.of();
      for (int i = 0; i < warmup + runs; i++) {
        String id = "bare-" + i;
        List<String> cmd = new ArrayList<>();
        if (runtime.equals("crun")) { // crun refuses this machine's hybrid cgroups unless the cgroup2 mount is hidden
          cmd.addAll(List.of(config.execRoot().resolve("bin/jswarm-monitor").toString(), "--exec-without-cgroup2"));
        }
        cmd.add(bin);
        cmd.addAll(globals);
        cmd.addAll(List.of("--root", runtimeRoot.toString(), "run", "-d", "--bundle", bundle.toString(), id));
        long t0 = System.nanoTime();
        // The container keeps the runtime's stdio: a file, so that nothing waits for it to close.
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(bareOut.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        int rc = p.waitFor();
        long took = System.nanoTime() - t0;
        String out = Files.readString(bareOut);
        if (rc != 0) {
          throw new IllegalStateException(runtime + " run -d failed: " + out.trim());
        }
        List<String> delete = new ArrayList<>(cmd.subList(0, cmd.indexOf("--root")));
        delete.addAll(List.of("--root", runtimeRoot.toString(), "delete", "-f", id));
        new ProcessBuilder(delete).start().waitFor();
        if (i >= warmup) {
          bare.add(took);
        }
      }
      r.remove();
    } finally {
      ex.retainOnly(Set.of());
      ex.close();
      for (Path m : Mounts.mountsUnder(root)) {
        Mounts.unmount(m, true);
      }
      new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
      for (String c : List.of("blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids",
          "systemd", "unified")) {
        Path p = Path.of("/sys/fs/cgroup", c, cgroupParent);
        if (Files.isDirectory(p)) {
          Files.delete(p);
        }
      }
    }
    double e50 = percentile(executor, 50);
    double b50 = percentile(bare, 50);
    System.out.printf("container start, %d runs (%d warm-up not counted), runtime %s%n", runs, warmup, runtime);
    System.out.printf("  jswarm executor prepare+start: median %.1f ms, p90 %.1f ms%n", e50, percentile(executor, 90));
    System.out.printf("    of which prepare (rootfs, bundle, /etc files): median %.1f ms%n", percentile(prepare, 50));
    System.out.printf("  %s run -d alone:               median %.1f ms, p90 %.1f ms%n", runtime, b50,
        percentile(bare, 90));
    System.out.printf("  ratio (medians): %.2fx (goal: at most 1.5x)%n", e50 / b50);
    return 0;
  }

  private static Task task(int i) {
    Task t = new Task();
    t.id = String.format("benchtask%016d", i < 0 ? 9_999_999L : i);
    t.spec = new TaskSpec();
    t.spec.containerSpec = new ContainerSpec();
    t.spec.containerSpec.image = "busybox";
    t.spec.containerSpec.args = List.of("sleep", "600");
    return t;
  }

  private LocalImage busyboxImage(Path dir) throws IOException, InterruptedException {
    Path layer = dir.resolve("layer0");
    Files.createDirectories(layer.resolve("bin"));
    Files.copy(busybox, layer.resolve("bin/busybox"));
    Process p = new ProcessBuilder(busybox.toString(), "--list").start();
    String applets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (String a : applets.split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) {
        Files.createSymbolicLink(layer.resolve("bin").resolve(a.trim()), Path.of("busybox"));
      }
    }
    for (String d : List.of("etc", "tmp", "proc", "sys", "dev")) {
      Files.createDirectories(layer.resolve(d));
    }
    return new LocalImage("sha256:" + "0".repeat(64), "busybox",
        new LocalImage.RunConfig(null, List.of("sh"), List.of("PATH=/bin"), "/", null, null, null, null, null),
        List.of(layer));
  }

  private static double percentile(List<Long> nanos, int pct) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    int idx = (int) Math.ceil(pct / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, idx))) / 1e6;
  }
}
