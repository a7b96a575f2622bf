package io.jswarm.cli.metrics;

import io.jswarm.transport.metrics.Metrics;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process and its JVM: resident memory, CPU, heap, garbage collections, threads. */
public final class JvmMetrics {
  private JvmMetrics() {}

  public static void register(Metrics m) {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    m.gauge("process_resident_memory_bytes", "Resident set size of the daemon process (VmRSS).",
        () -> statusKb("VmRSS:") * 1024);
    m.gauge("process_cpu_seconds_total", "User and system CPU time the daemon used, in seconds.", JvmMetrics::cpuSeconds);
    m.gauge("process_open_fds", "Open file descriptors.", JvmMetrics::openFds);
    m.gauge("jvm_memory_bytes_used", "Heap in use.", () -> mem.getHeapMemoryUsage().getUsed(), "area", "heap");
    m.gauge("jvm_memory_bytes_used", "Heap in use.", () -> mem.getNonHeapMemoryUsage().getUsed(), "area", "nonheap");
    m.gauge("jvm_memory_bytes_committed", "Memory the JVM holds from the OS.",
        () -> mem.getHeapMemoryUsage().getCommitted(), "area", "heap");
    m.gauge("jvm_memory_bytes_committed", "Memory the JVM holds from the OS.",
        () -> mem.getNonHeapMemoryUsage().getCommitted(), "area", "nonheap");
    m.gauge("jvm_memory_bytes_max", "The heap's limit (-Xmx).", () -> mem.getHeapMemoryUsage().getMax(), "area", "heap");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      m.gauge("jvm_gc_collection_seconds_count", "Collections by collector.", gc::getCollectionCount, "gc", gc.getName());
      m.gauge("jvm_gc_collection_seconds_sum", "Time spent collecting, by collector, in seconds.",
          () -> gc.getCollectionTime() / 1000.0, "gc", gc.getName());
    }
    m.gauge("jvm_threads_current", "Live threads.", threads::getThreadCount);
    m.gauge("jvm_threads_peak", "Most live threads at once since start.", threads::getPeakThreadCount);
  }

  /** A {@code kB} field of /proc/self/status, or -1. */
  static long statusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static double cpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private static long openFds() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

}
