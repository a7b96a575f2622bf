package io.jswarm.reliability.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Checker (e): after a run (its cluster closed), nothing it made is left: network namespaces, links (veths,
 * macvlans, bridges, VXLAN devices), mounts, cgroups and nftables tables whose names carry the run's tag, or
 * mounts under its base directory. {@link #snapshot} reads what exists now; {@link #check} compares two
 * snapshots.
 */
public final class LeakChecker {
  public static final String NAME = "leaks";

  /** Everything of the machine that a run can leave behind, one "kind:name" per resource. */
  public static Set<String> snapshot(String tag, Path baseDir) throws IOException {
    Set<String> out = new TreeSet<>();
    for (String l : run("ip", "netns", "list")) {
      out.add("netns:" + l.split(" ")[0]);
    }
    for (String l : run("ip", "-o", "link", "show")) {
      String[] f = l.split(": ");
      if (f.length > 1) {
        out.add("link:" + f[1].split("@")[0]);
      }
    }
    for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = l.split(" ");
      if (f.length > 4) {
        out.add("mount:" + f[4]);
      }
    }
    for (String l : run("nft", "list", "tables")) {
      out.add("nft:" + l.trim());
    }
    Path cg = Path.of("/sys/fs/cgroup");
    if (Files.isDirectory(cg)) {
      try (Stream<Path> hierarchies = Files.list(cg)) {
        for (Path h : hierarchies.toList()) {
          if (Files.isDirectory(h)) {
            try (Stream<Path> dirs = Files.list(h)) {
              dirs.filter(Files::isDirectory).forEach(d -> out.add("cgroup:" + d.getFileName()));
            } catch (IOException e) {
              // not a listable hierarchy
            }
          }
        }
      }
    }
    return out.stream().filter(r -> r.contains(tag) || (baseDir != null && r.startsWith("mount:" + baseDir)))
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  /** Resources in {@code after} that were not in {@code before}. */
  public List<Anomaly> check(Set<String> before, Set<String> after) {
    List<Anomaly> out = new ArrayList<>();
    for (String r : after) {
      if (!before.contains(r)) {
        out.add(new Anomaly(NAME, r, "left behind after the run"));
      }
    }
    return out;
  }

  private static List<String> run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines;
    try (var r = p.inputReader()) {
      lines = r.lines().toList();
    }
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + String.join(" ", cmd), e);
    }
    return p.exitValue() == 0 ? lines : List.of();
  }
}
