package io.jswarm.worker.engine;

import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.StreamSink;
import io.jswarm.worker.container.LocalContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/stats}: Docker's stats JSON from the container's cgroups v1 (cpuacct, memory, pids,
 * blkio) and the network counters of its namespace ({@code /proc/<init>/net/dev}). {@code stream=false} answers one
 * object with {@code precpu_stats} sampled {@link #PRE_SAMPLE_MS} before (so {@code docker stats --no-stream} shows
 * a CPU percentage), {@code one-shot=true} one sample without it, and streaming one object a second.
 */
final class ContainerStats {
  static final long PRE_SAMPLE_MS = 1000;
  /** USER_HZ: /proc/stat and cpuacct.stat count in these ticks. */
  private static final long TICKS_PER_SECOND = 100;

  private ContainerStats() {}

  static HttpResponse response(LocalContainer c, HttpRequest req) throws IOException, InterruptedException {
    boolean stream = req.param("stream") == null || req.flag("stream");
    if (!stream) {
      Map<String, Object> pre = req.flag("one-shot") ? null : sample(c);
      if (pre != null) {
        Thread.sleep(PRE_SAMPLE_MS);
      }
      return HttpResponse.ok(withPre(sample(c), pre));
    }
    return HttpResponse.stream(200, "application/json", sink -> {
      Thread t = new Thread(() -> pump(c, sink), "container-stats-" + c.id());
      t.setDaemon(true);
      sink.onClose(t::interrupt);
      t.start();
    });
  }

  private static void pump(LocalContainer c, StreamSink sink) {
    Map<String, Object> pre = null;
    try {
      while (sink.isOpen()) {
        Map<String, Object> now = sample(c);
        byte[] line = Json.toBytes(withPre(now, pre));
        byte[] out = java.util.Arrays.copyOf(line, line.length + 1);
        out[line.length] = '\n';
        if (!sink.send(out) || !c.running() && c.pid() == null) {
          break;
        }
        pre = now;
        Thread.sleep(1000);
      }
    } catch (InterruptedException | IOException e) {
      // the client hung up, or the container went away
    } finally {
      sink.close();
    }
  }

  private static Map<String, Object> withPre(Map<String, Object> now, Map<String, Object> pre) {
    now.put("preread", pre == null ? ContainerShapes.ZERO_TIME : pre.get("read"));
    now.put("precpu_stats", pre == null ? Map.of("cpu_usage", Map.of("total_usage", 0), "throttling_data", Map.of())
        : pre.get("cpu_stats"));
    return now;
  }

  /** One sample of everything. */
  static Map<String, Object> sample(LocalContainer c) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("read", Instant.now().toString());
    m.put("name", "/" + c.name());
    m.put("id", c.id());
    m.put("num_procs", 0);
    m.put("pids_stats", pids(c));
    m.put("blkio_stats", blkio(c));
    m.put("storage_stats", Map.of());
    m.put("cpu_stats", cpu(c));
    m.put("memory_stats", memory(c));
    if (c.pid() != null) {
      m.put("networks", networks(Path.of("/proc", c.pid().toString(), "net", "dev")));
    }
    return m;
  }

  private static Map<String, Object> cpu(LocalContainer c) throws IOException {
    Path acct = c.cgroup("cpuacct");
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("total_usage", number(acct.resolve("cpuacct.usage")));
    List<Long> percpu = new ArrayList<>();
    String pc = read(acct.resolve("cpuacct.usage_percpu"));
    if (pc != null) {
      for (String s : pc.trim().split("\\s+")) {
        if (!s.isEmpty()) {
          percpu.add(Long.parseLong(s));
        }
      }
    }
    usage.put("percpu_usage", percpu);
    Map<String, Long> stat = keyValues(acct.resolve("cpuacct.stat"));
    usage.put("usage_in_kernelmode", stat.getOrDefault("system", 0L) * 1_000_000_000L / TICKS_PER_SECOND);
    usage.put("usage_in_usermode", stat.getOrDefault("user", 0L) * 1_000_000_000L / TICKS_PER_SECOND);
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("cpu_usage", usage);
    long[] system = systemCpu();
    cpu.put("system_cpu_usage", system[0]);
    cpu.put("online_cpus", system[1]);
    Map<String, Long> thr = keyValues(c.cgroup("cpu").resolve("cpu.stat"));
    cpu.put("throttling_data", Map.of("periods", thr.getOrDefault("nr_periods", 0L),
        "throttled_periods", thr.getOrDefault("nr_throttled", 0L),
        "throttled_time", thr.getOrDefault("throttled_time", 0L)));
    return cpu;
  }

  /** The host's CPU time in nanoseconds (all CPUs, as dockerd reads /proc/stat) and its number of CPUs. */
  static long[] systemCpu() throws IOException {
    long total = 0;
    long cpus = 0;
    for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
      if (line.startsWith("cpu ")) {
        for (String f : line.substring(4).trim().split("\\s+")) {
          total += Long.parseLong(f);
        }
      } else if (line.startsWith("cpu")) {
        cpus++;
      }
    }
    return new long[] {total * 1_000_000_000L / TICKS_PER_SECOND, cpus};
  }

  private static Map<String, Object> memory(LocalContainer c) {
    Path mem = c.cgroup("memory");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("usage", number(mem.resolve("memory.usage_in_bytes")));
    m.put("max_usage", number(mem.resolve("memory.max_usage_in_bytes")));
    m.put("failcnt", number(mem.resolve("memory.failcnt")));
    m.put("limit", memoryLimit(number(mem.resolve("memory.limit_in_bytes")), machineMemory()));
    m.put("stats", keyValues(mem.resolve("memory.stat")));
    return m;
  }

  /**
   * The memory limit {@code docker stats} shows: the cgroup's, or the machine's memory when the cgroup's is higher
   * (no limit reads as about 8 EiB), as dockerd caps it.
   */
  static long memoryLimit(long cgroupLimit, long machine) {
    return machine > 0 && (cgroupLimit <= 0 || cgroupLimit > machine) ? machine : cgroupLimit;
  }

  private static long machineMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
  }

  private static Map<String, Object> pids(LocalContainer c) {
    Path p = c.cgroup("pids");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("current", number(p.resolve("pids.current")));
    String max = read(p.resolve("pids.max"));
    if (max != null && !max.trim().equals("max")) {
      m.put("limit", Long.parseLong(max.trim()));
    }
    return m;
  }

  /** {@code blkio.throttle.io_service_bytes} and {@code io_serviced} as Docker's {major, minor, op, value}. */
  private static Map<String, Object> blkio(LocalContainer c) {
    Path b = c.cgroup("blkio");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("io_service_bytes_recursive", blkioEntries(b.resolve("blkio.throttle.io_service_bytes")));
    m.put("io_serviced_recursive", blkioEntries(b.resolve("blkio.throttle.io_serviced")));
    return m;
  }

  static List<Map<String, Object>> blkioEntries(Path file) {
    List<Map<String, Object>> out = new ArrayList<>();
    String text = read(file);
    if (text == null) {
      return out;
    }
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length != 3 || !f[0].contains(":")) {
        continue; // the "Total N" line
      }
      String[] dev = f[0].split(":");
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("major", Long.parseLong(dev[0]));
      e.put("minor", Long.parseLong(dev[1]));
      e.put("op", f[1].toLowerCase(java.util.Locale.ROOT));
      e.put("value", Long.parseLong(f[2]));
      out.add(e);
    }
    return out;
  }

  /** {@code /proc/<pid>/net/dev} of the container's namespace, loopback left out, as Docker's networks map. */
  static Map<String, Object> networks(Path netDev) {
    Map<String, Object> out = new LinkedHashMap<>();
    String text = read(netDev);
    if (text == null) {
      return out;
    }
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (name.equals("lo") || f.length < 16) {
        continue;
      }
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("rx_bytes", Long.parseLong(f[0]));
      n.put("rx_packets", Long.parseLong(f[1]));
      n.put("rx_errors", Long.parseLong(f[2]));
      n.put("rx_dropped", Long.parseLong(f[3]));
      n.put("tx_bytes", Long.parseLong(f[8]));
      n.put("tx_packets", Long.parseLong(f[9]));
      n.put("tx_errors", Long.parseLong(f[10]));
      n.put("tx_dropped", Long.parseLong(f[11]));
      out.put(name, n);
    }
    return out;
  }

  private static Map<String, Long> keyValues(Path file) {
    Map<String, Long> out = new LinkedHashMap<>();
    String text = read(file);
    if (text == null) {
      return out;
    }
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2) {
        try {
          out.put(f[0], Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
          // not a counter
        }
      }
    }
    return out;
  }

  private static long number(Path file) {
    String s = read(file);
    try {
      return s == null ? 0 : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The file's text, or null when it is not there (the container ended, a controller is not mounted). */
  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return null;
    }
  }
}
