package io.jswarm.cli.daemon;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What this node reports about itself ({@code NodeDescription}): hostname, platform, capacity, engine. */
public final class NodeDescriptions {
  private NodeDescriptions() {}

  public static Node.Description describe(String hostname, String engineVersion, Map<String, String> engineLabels) {
    Node.Description d = new Node.Description();
    d.hostname = hostname;
    d.platform = new Platform();
    d.platform.os = "linux";
    d.platform.architecture = architecture();
    d.resources = new Resources();
    d.resources.nanoCPUs = Runtime.getRuntime().availableProcessors() * 1_000_000_000L;
    d.resources.memoryBytes = totalMemory();
    d.engine = new Node.EngineDescription();
    d.engine.engineVersion = engineVersion;
    d.engine.labels = engineLabels.isEmpty() ? null : new LinkedHashMap<>(engineLabels);
    Node.PluginDescription overlay = new Node.PluginDescription();
    overlay.type = "Network";
    overlay.name = "overlay";
    d.engine.plugins = List.of(overlay);
    return d;
  }

  /** Docker reports Go's GOARCH-to-uname mapping: amd64 hosts say x86_64. */
  static String architecture() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> a;
    };
  }

  /** MemTotal from /proc/meminfo, or the JVM's view of physical memory when that file is unreadable. */
  static long totalMemory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          String[] f = line.trim().split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return Runtime.getRuntime().maxMemory();
  }
}
