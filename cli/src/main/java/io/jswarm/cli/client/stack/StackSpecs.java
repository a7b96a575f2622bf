package io.jswarm.cli.client.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.cli.client.FlagConverters;
import io.jswarm.cli.client.RolloutFlags;
import io.jswarm.cli.client.ServiceCreateFlags;
import io.jswarm.cli.client.ServiceSpecs;
import io.jswarm.cli.client.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A compose document turned into what {@code docker stack deploy} makes of it, with the docker client's names and
 * labels so that both clients see the same stacks: objects are named {@code STACK_name} (unless {@code name:} or
 * {@code external:} says otherwise), labelled {@code com.docker.stack.namespace=STACK}; services also carry {@code
 * com.docker.stack.image}; a service without {@code networks:} is on {@code STACK_default} (an overlay network made
 * for it) with its short name as alias. Service keys map to the {@code service create} flags they mean, so their
 * values are checked as those flags are. Keys jswarm does not use are listed in {@link Stack#ignored}.
 */
public final class StackSpecs {
  public static final String NAMESPACE = "com.docker.stack.namespace";
  public static final String IMAGE = "com.docker.stack.image";
  private static final Set<String> TOP = Set.of("version", "services", "networks", "volumes", "secrets", "configs",
      "name");
  private static final Set<String> SERVICE = Set.of("image", "command", "entrypoint", "environment", "deploy",
      "labels", "ports", "networks", "volumes", "secrets", "configs", "hostname", "user", "working_dir",
      "healthcheck", "stop_grace_period", "stop_signal");
  private static final Set<String> DEPLOY = Set.of("mode", "replicas", "resources", "restart_policy", "placement",
      "update_config", "rollback_config", "labels", "endpoint_mode");

  /** A network, secret or config of the stack: its full name, whether it must exist already, and its body. */
  public record Resource(String key, String name, boolean external, Map<String, Object> body) {}

  /** One service: its spec, its secret and config references as {@code --secret}/{@code --config} values. */
  public record ServiceDef(String name, ServiceSpec spec, List<String> secrets, List<String> configs,
      RolloutFlags rollout) {}

  /** The whole stack, and the keys jswarm ignored ({@code services.web.build}). */
  public record Stack(String namespace, List<Resource> networks, List<Resource> secrets, List<Resource> configs,
      List<ServiceDef> services, List<String> ignored) {}

  private final String namespace;
  private final Path dir;
  private final Function<String, String> env;
  private final List<String> ignored = new ArrayList<>();

  private StackSpecs(String namespace, Path dir, Function<String, String> env) {
    this.namespace = namespace;
    this.dir = dir;
    this.env = env;
  }

  /** Converts {@code doc}; relative paths ({@code file:}, bind mounts) are taken from {@code dir}. */
  public static Stack convert(String namespace, ObjectNode doc, Path dir, Function<String, String> env) {
    return new StackSpecs(namespace, dir, env).convert(doc);
  }

  private Stack convert(ObjectNode doc) {
    unknown(doc, TOP, "");
    Map<String, Resource> networks = networks(doc.path("networks"));
    List<Resource> secrets = payloads("secrets", doc.path("secrets"));
    List<Resource> configs = payloads("configs", doc.path("configs"));
    Map<String, String> volumes = volumes(doc.path("volumes"));
    List<ServiceDef> services = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("services").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      services.add(service(e.getKey(), object(e.getValue(), "services." + e.getKey()), networks, secrets, configs,
          volumes, used));
    }
    List<Resource> wanted = new ArrayList<>();
    for (String key : used) {
      wanted.add(networks.get(key));
    }
    return new Stack(namespace, wanted, secrets, configs, services, ignored);
  }

  private String scoped(String key) {
    return namespace + "_" + key;
  }

  private Map<String, Resource> networks(JsonNode n) {
    Map<String, Resource> out = new LinkedHashMap<>();
    out.put("default", network("default", null));
    for (Iterator<Map.Entry<String, JsonNode>> it = object(n, "networks").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), network(e.getKey(), e.getValue().isNull() ? null : object(e.getValue(),
          "networks." + e.getKey())));
    }
    return out;
  }

  private Resource network(String key, JsonNode def) {
    String path = "networks." + key;
    if (def != null) {
      unknown(def, Set.of("driver", "driver_opts", "attachable", "external", "name", "labels", "internal", "ipam"),
          path);
    }
    boolean external = def != null && external(def.path("external"));
    String name = def != null && def.hasNonNull("name") ? def.get("name").asText()
        : external && def.path("external").isObject() && def.path("external").has("name")
            ? def.path("external").get("name").asText() : scoped(key);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Name", name);
    body.put("Driver", def == null ? "overlay" : def.path("driver").asText("overlay"));
    body.put("Attachable", def != null && def.path("attachable").asBoolean(false));
    body.put("Internal", def != null && def.path("internal").asBoolean(false));
    body.put("Options", def == null ? Map.of() : strings(def.path("driver_opts"), path + ".driver_opts"));
    body.put("Labels", labels(def == null ? null : def.path("labels"), path + ".labels"));
    if (def != null && def.path("ipam").path("config").isArray()) {
      List<Map<String, String>> cfg = new ArrayList<>();
      for (JsonNode c : def.path("ipam").path("config")) {
        Map<String, String> m = new LinkedHashMap<>();
        if (c.has("subnet")) {
          m.put("Subnet", c.get("subnet").asText());
        }
        cfg.add(m);
      }
      body.put("IPAM", Map.of("Driver", "default", "Config", cfg));
    }
    return new Resource(key, name, external, body);
  }

  private List<Resource> payloads(String kind, JsonNode n) {
    List<Resource> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object(n, kind).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = kind + "." + e.getKey();
      JsonNode def = object(e.getValue(), path);
      unknown(def, Set.of("file", "external", "name", "labels", "environment"), path);
      boolean external = external(def.path("external"));
      String name = def.hasNonNull("name") ? def.get("name").asText() : external ? e.getKey() : scoped(e.getKey());
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Name", name);
      body.put("Labels", labels(def.path("labels"), path + ".labels"));
      if (!external) {
        if (def.hasNonNull("file")) {
          body.put("File", dir.resolve(def.get("file").asText()).toString());
        } else if (def.hasNonNull("environment")) {
          String v = env.apply(def.get("environment").asText());
          if (v == null) {
            throw new UsageException(path + ".environment: variable " + def.get("environment").asText() + " is not set");
          }
          body.put("Value", v);
        } else {
          throw new UsageException(path + ": give file: (a path), environment: or external: true");
        }
      }
      out.add(new Resource(e.getKey(), name, external, body));
    }
    return out;
  }

  /** Named volume key -> the volume's name on the nodes. */
  private Map<String, String> volumes(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object(n, "volumes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode def = e.getValue();
      String name = scoped(e.getKey());
      if (def != null && def.isObject()) {
        unknown(def, Set.of("driver", "driver_opts", "external", "name", "labels"), "volumes." + e.getKey());
        if (def.hasNonNull("name")) {
          name = def.get("name").asText();
        } else if (external(def.path("external"))) {
          name = e.getKey();
        }
      }
      out.put(e.getKey(), name);
    }
    return out;
  }

  private ServiceDef service(String key, JsonNode s, Map<String, Resource> networks, List<Resource> secrets,
      List<Resource> configs, Map<String, String> volumes, Set<String> usedNetworks) {
    String path = "services." + key;
    unknown(s, SERVICE, path);
    ServiceCreateFlags f = new ServiceCreateFlags();
    f.name = scoped(key);
    if (!s.hasNonNull("image")) {
      throw new UsageException(path + ".image: must be set (jswarm deploys images; build: is not supported)");
    }
    f.image = s.get("image").asText();
    f.env = list(s.path("environment"), path + ".environment", true);
    JsonNode deploy = object(s.path("deploy"), path + ".deploy");
    unknown(deploy, DEPLOY, path + ".deploy");
    f.mode = deploy.path("mode").asText("replicated");
    if (deploy.hasNonNull("replicas")) {
      f.replicas = number(deploy.get("replicas"), path + ".deploy.replicas");
    }
    f.labels = list(deploy.path("labels"), path + ".deploy.labels", false);
    f.labels.add(NAMESPACE + "=" + namespace);
    f.labels.add(IMAGE + "=" + f.image);
    f.endpointMode = deploy.path("endpoint_mode").isMissingNode() ? null : deploy.get("endpoint_mode").asText();
    JsonNode res = deploy.path("resources");
    f.resources.limitCpu = convert(res.path("limits").path("cpus"), new FlagConverters.Cpus(), path + ".deploy.resources.limits.cpus");
    f.resources.limitMemory = convert(res.path("limits").path("memory"), new FlagConverters.Bytes(), path + ".deploy.resources.limits.memory");
    f.resources.reserveCpu = convert(res.path("reservations").path("cpus"), new FlagConverters.Cpus(), path + ".deploy.resources.reservations.cpus");
    f.resources.reserveMemory = convert(res.path("reservations").path("memory"), new FlagConverters.Bytes(), path + ".deploy.resources.reservations.memory");
    JsonNode restart = deploy.path("restart_policy");
    f.restart.condition = restart.hasNonNull("condition") ? restart.get("condition").asText() : null;
    f.restart.delay = convert(restart.path("delay"), new FlagConverters.Duration(), path + ".deploy.restart_policy.delay");
    f.restart.window = convert(restart.path("window"), new FlagConverters.Duration(), path + ".deploy.restart_policy.window");
    f.restart.maxAttempts = restart.hasNonNull("max_attempts") ? number(restart.get("max_attempts"), path + ".deploy.restart_policy.max_attempts") : null;
    JsonNode placement = deploy.path("placement");
    f.constraints = list(placement.path("constraints"), path + ".deploy.placement.constraints", false);
    for (JsonNode p : placement.path("preferences")) {
      f.placementPrefs.add("spread=" + p.path("spread").asText());
    }
    f.maxReplicasPerNode = placement.hasNonNull("max_replicas_per_node") ? number(placement.get("max_replicas_per_node"), path + ".deploy.placement.max_replicas_per_node") : null;
    f.publish = ports(s.path("ports"), path + ".ports");
    f.hostname = text(s, "hostname");
    f.user = text(s, "user");
    f.workdir = text(s, "working_dir");
    f.stopSignal = text(s, "stop_signal");
    f.stopGracePeriod = convert(s.path("stop_grace_period"), new FlagConverters.Duration(), path + ".stop_grace_period");
    ServiceSpec spec = ServiceSpecs.create(f, env);
    ContainerSpec c = spec.taskTemplate.containerSpec;
    c.labels = new LinkedHashMap<>(labels(s.path("labels"), path + ".labels"));
    c.labels.put(NAMESPACE, namespace);
    if (!s.path("command").isMissingNode()) {
      c.args = words(s.get("command"), path + ".command");
    }
    if (!s.path("entrypoint").isMissingNode()) {
      c.command = words(s.get("entrypoint"), path + ".entrypoint");
    }
    c.healthcheck = health(s.path("healthcheck"), path + ".healthcheck");
    c.mounts = mounts(s.path("volumes"), path + ".volumes", volumes);
    spec.taskTemplate.networks = attachments(key, s.path("networks"), path + ".networks", networks, usedNetworks);
    RolloutFlags rollout = new RolloutFlags();
    JsonNode u = deploy.path("update_config");
    rollout.updateParallelism = u.hasNonNull("parallelism") ? number(u.get("parallelism"), path + ".deploy.update_config.parallelism") : null;
    rollout.updateDelay = convert(u.path("delay"), new FlagConverters.Duration(), path + ".deploy.update_config.delay");
    rollout.updateFailureAction = text(u, "failure_action");
    rollout.updateMonitor = convert(u.path("monitor"), new FlagConverters.Duration(), path + ".deploy.update_config.monitor");
    rollout.updateOrder = text(u, "order");
    JsonNode r = deploy.path("rollback_config");
    rollout.rollbackParallelism = r.hasNonNull("parallelism") ? number(r.get("parallelism"), path + ".deploy.rollback_config.parallelism") : null;
    rollout.rollbackDelay = convert(r.path("delay"), new FlagConverters.Duration(), path + ".deploy.rollback_config.delay");
    rollout.rollbackFailureAction = text(r, "failure_action");
    rollout.rollbackOrder = text(r, "order");
    return new ServiceDef(f.name, spec, refs(s.path("secrets"), path + ".secrets", secrets, "/run/secrets/"),
        refs(s.path("configs"), path + ".configs", configs, "/"), rollout);
  }

  private List<NetworkAttachmentConfig> attachments(String service, JsonNode n, String path,
      Map<String, Resource> networks, Set<String> used) {
    Map<String, List<String>> wanted = new LinkedHashMap<>();
    if (n.isMissingNode() || n.isNull()) {
      wanted.put("default", List.of());
    } else if (n.isArray()) {
      n.forEach(x -> wanted.put(x.asText(), List.of()));
    } else if (n.isObject()) {
      n.fields().forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().isObject()
          ? list(e.getValue().path("aliases"), path + "." + e.getKey() + ".aliases", false) : List.of()));
    } else {
      throw new UsageException(path + ": must be a list of network names or a mapping");
    }
    List<NetworkAttachmentConfig> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
      Resource net = networks.get(e.getKey());
      if (net == null) {
        throw new UsageException(path + ": service \"" + service + "\" refers to undefined network " + e.getKey()
            + ": add it under the top-level networks:");
      }
      used.add(e.getKey());
      NetworkAttachmentConfig a = new NetworkAttachmentConfig();
      a.target = net.name();
      a.aliases = new ArrayList<>(List.of(service));
      a.aliases.addAll(e.getValue());
      out.add(a);
    }
    return out;
  }

  private List<Mount> mounts(JsonNode n, String path, Map<String, String> volumes) {
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    List<Mount> out = new ArrayList<>();
    for (JsonNode v : array(n, path)) {
      Mount m = new Mount();
      if (v.isTextual()) {
        String[] p = v.asText().split(":");
        if (p.length < 2 || p.length > 3) {
          throw new UsageException(path + ": invalid volume \"" + v.asText() + "\": want SOURCE:TARGET[:ro]");
        }
        m.source = p[0];
        m.target = p[1];
        m.readOnly = p.length == 3 && p[2].equals("ro") ? Boolean.TRUE : null;
        m.type = p[0].startsWith("/") || p[0].startsWith(".") || p[0].startsWith("~") ? "bind" : "volume";
      } else {
        unknown(v, Set.of("type", "source", "target", "read_only", "volume", "bind", "tmpfs"), path);
        m.type = v.path("type").asText("volume");
        m.source = text(v, "source");
        m.target = text(v, "target");
        m.readOnly = v.path("read_only").asBoolean(false) ? Boolean.TRUE : null;
      }
      if ("volume".equals(m.type) && m.source != null) {
        String name = volumes.get(m.source);
        if (name == null) {
          throw new UsageException(path + ": undefined volume \"" + m.source + "\": add it under the top-level volumes:");
        }
        m.source = name;
        m.volumeOptions = new Mount.VolumeOptions();
        m.volumeOptions.labels = Map.of(NAMESPACE, namespace);
      } else if ("bind".equals(m.type) && m.source != null && !m.source.startsWith("/")) {
        m.source = dir.resolve(m.source).normalize().toString();
      }
      out.add(m);
    }
    return out;
  }

  private List<String> refs(JsonNode n, String path, List<Resource> defined, String defaultDir) {
    List<String> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    for (JsonNode r : array(n, path)) {
      String key = r.isTextual() ? r.asText() : text(r, "source");
      Resource res = defined.stream().filter(d -> d.key().equals(key)).findFirst().orElseThrow(() ->
          new UsageException(path + ": undefined " + path.substring(path.lastIndexOf('.') + 1, path.length() - 1)
              + " \"" + key + "\": add it under the top-level " + path.substring(path.lastIndexOf('.') + 1) + ":"));
      StringBuilder b = new StringBuilder("source=").append(res.name());
      String target = r.isObject() && r.hasNonNull("target") ? r.get("target").asText() : null;
      b.append(",target=").append(target != null ? target : defaultDir.equals("/") ? "/" + key : key);
      for (String k : List.of("uid", "gid", "mode")) {
        if (r.isObject() && r.hasNonNull(k)) {
          b.append(',').append(k).append('=').append(k.equals("mode") && r.get(k).isNumber()
              ? "0" + Integer.toOctalString(r.get(k).asInt()) : r.get(k).asText());
        }
      }
      out.add(b.toString());
    }
    return out;
  }

  private Healthcheck health(JsonNode n, String path) {
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    Healthcheck h = new Healthcheck();
    if (n.path("disable").asBoolean(false)) {
      h.test = List.of("NONE");
      return h;
    }
    JsonNode test = n.path("test");
    h.test = test.isTextual() ? List.of("CMD-SHELL", test.asText()) : list(test, path + ".test", false);
    h.interval = convert(n.path("interval"), new FlagConverters.Duration(), path + ".interval");
    h.timeout = convert(n.path("timeout"), new FlagConverters.Duration(), path + ".timeout");
    h.startPeriod = convert(n.path("start_period"), new FlagConverters.Duration(), path + ".start_period");
    h.retries = n.hasNonNull("retries") ? number(n.get("retries"), path + ".retries") : null;
    return h;
  }

  private List<String> ports(JsonNode n, String path) {
    List<String> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    for (JsonNode p : array(n, path)) {
      if (p.isObject()) {
        List<String> kv = new ArrayList<>();
        p.fields().forEachRemaining(e -> kv.add(e.getKey() + "=" + e.getValue().asText()));
        out.add(String.join(",", kv));
      } else {
        out.add(p.asText());
      }
    }
    return out;
  }

  // ---- reading values, each error naming the key ----

  private void unknown(JsonNode n, Set<String> known, String path) {
    n.fieldNames().forEachRemaining(k -> {
      if (!known.contains(k) && !k.startsWith("x-")) {
        ignored.add(path.isEmpty() ? k : path + "." + k);
      }
    });
  }

  private static boolean external(JsonNode n) {
    return n.isBoolean() ? n.asBoolean() : n.isObject();
  }

  private static JsonNode object(JsonNode n, String path) {
    if (n.isMissingNode() || n.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!n.isObject()) {
      throw new UsageException(path + " must be a mapping, not " + n.getNodeType().toString().toLowerCase());
    }
    return n;
  }

  private static JsonNode array(JsonNode n, String path) {
    if (!n.isArray()) {
      throw new UsageException(path + " must be a list, not " + n.getNodeType().toString().toLowerCase());
    }
    return n;
  }

  private static String text(JsonNode n, String key) {
    return n.hasNonNull(key) ? n.get(key).asText() : null;
  }

  private static long number(JsonNode n, String path) {
    if (n.canConvertToLong()) {
      return n.asLong();
    }
    try {
      return Long.parseLong(n.asText().trim());
    } catch (NumberFormatException e) {
      throw new UsageException(path + " must be a whole number, not \"" + n.asText() + "\"");
    }
  }

  private static Long convert(JsonNode n, picocli.CommandLine.ITypeConverter<Long> c, String path) {
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    try {
      return c.convert(n.asText());
    } catch (Exception e) {
      throw new UsageException(path + ": " + e.getMessage());
    }
  }

  /** A list of strings, or (when {@code kv}) a mapping as {@code KEY=VALUE} (a null value: {@code KEY}). */
  private static List<String> list(JsonNode n, String path, boolean kv) {
    List<String> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> out.add(e.getValue().isNull() ? e.getKey() : e.getKey() + "="
          + e.getValue().asText()));
      return out;
    }
    array(n, path).forEach(x -> out.add(x.asText()));
    return out;
  }

  private static Map<String, String> labels(JsonNode n, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    for (String kv : list(n, path, true)) {
      int eq = kv.indexOf('=');
      out.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
    }
    return out;
  }

  private static Map<String, String> strings(JsonNode n, String path) {
    return labels(n, path);
  }

  /** {@code command:} as a list, or a string split on white space (quotes keep words together). */
  private static List<String> words(JsonNode n, String path) {
    if (n.isArray()) {
      return list(n, path, false);
    }
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(n.asText());
    while (m.find()) {
      out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    return out;
  }
}
