package io.jswarm.worker.engine;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.worker.container.LocalContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker top}: the host's {@code ps} with the caller's options, keeping the rows of the processes in the
 * container's pid namespace (its init, what it started, and {@code docker exec} sessions), as dockerd filters them.
 */
final class ContainerTop {
  private ContainerTop() {}

  static Map<String, Object> top(LocalContainer c, List<String> psArgs) throws IOException, InterruptedException {
    Set<Long> pids = pidsInNamespace(c.pid());
    List<String> cmd = new ArrayList<>();
    cmd.add("ps");
    cmd.addAll(psArgs);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("ps did not finish within 10 s");
    }
    if (p.exitValue() != 0) {
      throw new InvalidArgumentException("ps_args: ps " + String.join(" ", psArgs) + " failed: " + out.trim());
    }
    return parse(out, pids);
  }

  /** Titles and the rows whose PID column is one of {@code pids} (the last column keeps its spaces). */
  static Map<String, Object> parse(String psOutput, Set<Long> pids) {
    String[] lines = psOutput.split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new InvalidArgumentException("ps_args: ps printed nothing");
    }
    List<String> titles = List.of(lines[0].trim().split("\\s+"));
    int pidCol = titles.indexOf("PID");
    if (pidCol < 0) {
      throw new InvalidArgumentException("ps_args: ps's output has no PID column (give options such as -ef or "
          + "aux that print it)");
    }
    List<List<String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] f = lines[i].trim().split("\\s+", titles.size());
      if (f.length <= pidCol) {
        continue;
      }
      try {
        if (pids.contains(Long.parseLong(f[pidCol]))) {
          rows.add(List.of(f));
        }
      } catch (NumberFormatException e) {
        // not a process row
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Titles", titles);
    m.put("Processes", rows);
    return m;
  }

  /** Host pids of every process in the pid namespace of {@code init}. */
  static Set<Long> pidsInNamespace(Long init) throws IOException {
    Set<Long> out = new HashSet<>();
    if (init == null) {
      return out;
    }
    Path ns = Files.readSymbolicLink(Path.of("/proc", init.toString(), "ns", "pid"));
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), d -> d.getFileName().toString()
        .chars().allMatch(Character::isDigit))) {
      for (Path d : ds) {
        try {
          if (Files.readSymbolicLink(d.resolve("ns/pid")).equals(ns)) {
            out.add(Long.parseLong(d.getFileName().toString()));
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return out;
  }
}
