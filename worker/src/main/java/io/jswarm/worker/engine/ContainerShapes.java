package io.jswarm.worker.engine;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.worker.container.LocalContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Docker API's JSON of a container ({@code ContainerSummary} for {@code docker ps}, {@code ContainerJSON} for
 * {@code docker inspect}) built from a task container, with the labels dockerd's swarm executor sets on it.
 */
final class ContainerShapes {
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private ContainerShapes() {}

  /**
   * The container's labels as Docker's swarm executor sets them: the container spec's labels, then
   * {@code com.docker.swarm.node.id}, {@code .service.id}, {@code .service.name}, {@code .task},
   * {@code .task.id}, {@code .task.name}.
   */
  static Map<String, String> labels(LocalContainer c) {
    Map<String, String> out = new TreeMap<>();
    Task t = c.task();
    if (t == null) {
      return out;
    }
    ContainerSpec spec = spec(c);
    if (spec != null && spec.labels != null) {
      out.putAll(spec.labels);
    }
    put(out, "com.docker.swarm.node.id", t.nodeId);
    put(out, "com.docker.swarm.service.id", t.serviceId);
    put(out, "com.docker.swarm.service.name", serviceName(t));
    out.put("com.docker.swarm.task", "");
    put(out, "com.docker.swarm.task.id", t.id);
    put(out, "com.docker.swarm.task.name", c.name());
    return out;
  }

  /** The service's name: the task's name up to its last dot ({@code web.1} -> {@code web}). */
  static String serviceName(Task t) {
    if (t.name == null) {
      return null;
    }
    int dot = t.name.lastIndexOf('.');
    return dot < 0 ? t.name : t.name.substring(0, dot);
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static ContainerSpec spec(LocalContainer c) {
    return c.task() == null || c.task().spec == null ? null : c.task().spec.containerSpec;
  }

  static String image(LocalContainer c) {
    ContainerSpec s = spec(c);
    return s == null || s.image == null ? "" : s.image;
  }

  /** {@code GET /containers/json}: one row of {@code docker ps}. */
  static Map<String, Object> summary(LocalContainer c, Map<String, String> labels) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", c.id());
    m.put("Names", List.of("/" + c.name()));
    m.put("Image", image(c));
    m.put("ImageID", "");
    m.put("Command", String.join(" ", c.process().args()));
    m.put("Created", c.created().getEpochSecond());
    m.put("Ports", List.of());
    m.put("Labels", labels);
    m.put("State", c.status());
    m.put("Status", statusText(c, Instant.now()));
    m.put("HostConfig", Map.of("NetworkMode", "default"));
    m.put("NetworkSettings", Map.of("Networks", networks(c)));
    m.put("Mounts", List.of());
    return m;
  }

  /** Docker's human status: "Up 3 minutes", "Exited (137) 5 seconds ago", "Created". */
  static String statusText(LocalContainer c, Instant now) {
    if (c.running()) {
      return "Up " + human(Duration.between(c.started() == null ? c.created() : c.started(), now));
    }
    if (c.exit() == null) {
      return "Created";
    }
    Instant finished;
    try {
      finished = Instant.parse(c.exit().finishedAt());
    } catch (RuntimeException e) {
      finished = now;
    }
    return "Exited (" + c.exit().code() + ") " + human(Duration.between(finished, now)) + " ago";
  }

  /** Go's units.HumanDuration, as docker ps prints it. */
  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 1) {
      return "Less than a second";
    } else if (s == 1) {
      return "1 second";
    } else if (s < 60) {
      return s + " seconds";
    }
    long min = s / 60;
    if (min == 1) {
      return "About a minute";
    } else if (min < 60) {
      return min + " minutes";
    }
    long h = Math.round(s / 3600.0);
    if (h == 1) {
      return "About an hour";
    } else if (h < 48) {
      return h + " hours";
    } else if (h < 24 * 7 * 2) {
      return h / 24 + " days";
    } else if (h < 24 * 30 * 2) {
      return h / 24 / 7 + " weeks";
    } else if (h < 24 * 365 * 2) {
      return h / 24 / 30 + " months";
    }
    return h / 24 / 365 + " years";
  }

  /** The task's network attachments: name -> {NetworkID, IPAddress, IPPrefixLen}. */
  static Map<String, Object> networks(LocalContainer c) {
    Map<String, Object> out = new TreeMap<>();
    Task t = c.task();
    if (t == null || t.networksAttachments == null) {
      return out;
    }
    for (NetworkAttachment a : t.networksAttachments) {
      if (a == null || a.network == null) {
        continue;
      }
      String name = a.network.spec != null && a.network.spec.name != null ? a.network.spec.name : a.network.id;
      String addr = a.addresses == null || a.addresses.isEmpty() ? "" : a.addresses.get(0);
      int slash = addr.indexOf('/');
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("NetworkID", a.network.id);
      n.put("IPAddress", slash < 0 ? addr : addr.substring(0, slash));
      n.put("IPPrefixLen", slash < 0 ? 0 : Integer.parseInt(addr.substring(slash + 1)));
      out.put(name, n);
    }
    return out;
  }

  /** {@code GET /containers/{id}/json}: what {@code docker inspect} prints. */
  static Map<String, Object> inspect(LocalContainer c) {
    ContainerSpec spec = spec(c);
    LocalContainer.Process p = c.process();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", c.id());
    m.put("Created", c.created().toString());
    m.put("Path", p.args().isEmpty() ? "" : p.args().get(0));
    m.put("Args", p.args().size() > 1 ? p.args().subList(1, p.args().size()) : List.of());
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", c.status());
    state.put("Running", c.running());
    state.put("Paused", false);
    state.put("Restarting", false);
    state.put("OOMKilled", c.exit() != null && c.exit().oomKilled());
    state.put("Dead", false);
    state.put("Pid", c.pid() == null ? 0 : c.pid());
    state.put("ExitCode", c.exit() == null ? 0 : c.exit().code());
    state.put("Error", "");
    state.put("StartedAt", c.started() == null ? ZERO_TIME : c.started().toString());
    state.put("FinishedAt", c.exit() == null || c.exit().finishedAt().isEmpty() ? ZERO_TIME : c.exit().finishedAt());
    m.put("State", state);
    m.put("Image", image(c));
    m.put("ResolvConfPath", c.stateDir().resolve("resolv.conf").toString());
    m.put("HostnamePath", c.stateDir().resolve("hostname").toString());
    m.put("HostsPath", c.stateDir().resolve("hosts").toString());
    m.put("LogPath", c.stateDir().resolve("json.log").toString());
    m.put("Name", "/" + c.name());
    m.put("RestartCount", 0);
    m.put("Driver", "overlay2");
    m.put("Platform", "linux");
    m.put("MountLabel", "");
    m.put("ProcessLabel", "");
    m.put("AppArmorProfile", "");
    m.put("ExecIDs", null);
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("NetworkMode", "default");
    host.put("LogConfig", Map.of("Type", "json-file", "Config", Map.of()));
    host.put("RestartPolicy", Map.of("Name", "no", "MaximumRetryCount", 0));
    host.put("ReadonlyRootfs", spec != null && Boolean.TRUE.equals(spec.readOnly));
    host.put("CgroupParent", c.cgroupPath().substring(0, c.cgroupPath().lastIndexOf('/')));
    m.put("HostConfig", host);
    m.put("Mounts", mounts(spec));
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("Hostname", p.hostname() == null ? "" : p.hostname());
    cfg.put("Domainname", "");
    cfg.put("User", spec != null && spec.user != null ? spec.user : "");
    cfg.put("AttachStdin", false);
    cfg.put("AttachStdout", false);
    cfg.put("AttachStderr", false);
    cfg.put("Tty", spec != null && Boolean.TRUE.equals(spec.tty));
    cfg.put("OpenStdin", spec != null && Boolean.TRUE.equals(spec.openStdin));
    cfg.put("StdinOnce", false);
    cfg.put("Env", p.env());
    cfg.put("Cmd", spec != null && spec.args != null ? spec.args : p.args());
    cfg.put("Image", image(c));
    cfg.put("WorkingDir", p.cwd() == null ? "" : p.cwd());
    cfg.put("Entrypoint", spec == null ? null : spec.command);
    cfg.put("Labels", labels(c));
    cfg.put("StopSignal", spec != null && spec.stopSignal != null ? spec.stopSignal : "SIGTERM");
    m.put("Config", cfg);
    m.put("NetworkSettings", Map.of("Networks", networks(c)));
    return m;
  }

  private static List<Map<String, Object>> mounts(ContainerSpec spec) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (spec == null || spec.mounts == null) {
      return out;
    }
    for (io.jswarm.api.types.Mount mt : spec.mounts) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Type", mt.type == null ? "volume" : mt.type);
      if (mt.source != null) {
        m.put("Source", mt.source);
      }
      m.put("Destination", mt.target);
      m.put("RW", !Boolean.TRUE.equals(mt.readOnly));
      out.add(m);
    }
    return out;
  }
}
