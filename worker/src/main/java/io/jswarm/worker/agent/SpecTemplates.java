package io.jswarm.worker.agent;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's service templates ({@code docker service create --hostname '{{.Node.Hostname}}-{{.Task.Slot}}'}), expanded
 * on the node as swarmkit's agent does, in {@code Hostname}, {@code Env} values and mount {@code Source}/{@code
 * Target}: {@code {{.Service.ID}}}, {@code {{.Service.Name}}}, {@code {{.Service.Labels.KEY}}}, {@code {{.Node.ID}}},
 * {@code {{.Node.Hostname}}}, {@code {{.Node.Platform.OS}}}, {@code {{.Node.Platform.Architecture}}}, {@code
 * {{.Task.ID}}}, {@code {{.Task.Name}}} ({@code service.slot.taskid}) and {@code {{.Task.Slot}}} (the node id for a
 * global task). Anything else in braces is an error naming the field, which rejects the task.
 */
public final class SpecTemplates {
  private static final Pattern FIELD = Pattern.compile("\\{\\{-?\\s*\\.([A-Za-z][A-Za-z0-9_.]*)\\s*-?}}");

  private SpecTemplates() {}

  /** A copy of {@code task} whose container spec has its templates expanded; {@code task} when it has none. */
  public static Task expand(Task task, Node node) {
    ContainerSpec c = task.spec == null ? null : task.spec.containerSpec;
    if (c == null || !hasTemplate(c)) {
      return task;
    }
    Map<String, String> ctx = context(task, node);
    Task copy = Json.copy(task);
    ContainerSpec e = copy.spec.containerSpec;
    e.hostname = apply(e.hostname, ctx, "Hostname");
    if (e.env != null) {
      List<String> env = new ArrayList<>();
      for (String kv : e.env) {
        env.add(apply(kv, ctx, "Env"));
      }
      e.env = env;
    }
    if (e.mounts != null) {
      for (Mount m : e.mounts) {
        m.source = apply(m.source, ctx, "Mounts.Source");
        m.target = apply(m.target, ctx, "Mounts.Target");
      }
    }
    return copy;
  }

  private static boolean hasTemplate(ContainerSpec c) {
    StringBuilder all = new StringBuilder(String.valueOf(c.hostname));
    if (c.env != null) {
      c.env.forEach(all::append);
    }
    if (c.mounts != null) {
      c.mounts.forEach(m -> all.append(m.source).append(m.target));
    }
    return all.indexOf("{{") >= 0;
  }

  private static Map<String, String> context(Task t, Node node) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Service.ID", t.serviceId);
    m.put("Service.Name", t.serviceName());
    if (t.labels != null) {
      t.labels.forEach((k, v) -> m.put("Service.Labels." + k, v));
    }
    m.put("Node.ID", t.nodeId);
    Node.Description d = node == null ? null : node.description;
    m.put("Node.Hostname", d == null ? null : d.hostname);
    m.put("Node.Platform.OS", d == null || d.platform == null ? null : d.platform.os);
    m.put("Node.Platform.Architecture", d == null || d.platform == null ? null : d.platform.architecture);
    m.put("Task.ID", t.id);
    m.put("Task.Name", t.containerName());
    m.put("Task.Slot", t.slot != null && t.slot != 0 ? t.slot.toString() : t.nodeId);
    return m;
  }

  static String apply(String s, Map<String, String> ctx, String where) {
    if (s == null || !s.contains("{{")) {
      return s;
    }
    Matcher m = FIELD.matcher(s);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (m.find()) {
      String field = m.group(1);
      if (!ctx.containsKey(field) && !field.startsWith("Service.Labels.")) {
        throw new IllegalArgumentException("template in " + where + ": unknown field ." + field + "; use .Service.ID, "
            + ".Service.Name, .Service.Labels.KEY, .Node.ID, .Node.Hostname, .Node.Platform.OS, "
            + ".Node.Platform.Architecture, .Task.ID, .Task.Name or .Task.Slot");
      }
      out.append(s, at, m.start());
      String v = ctx.get(field);
      out.append(v == null ? "" : v);
      at = m.end();
    }
    out.append(s.substring(at));
    if (out.indexOf("{{") >= 0) {
      throw new IllegalArgumentException("template in " + where + ": only {{.Field}} forms are supported, got \""
          + s + "\"");
    }
    return out.toString();
  }

  /** An executor whose runtimes see their task with its templates expanded, for the node {@code node} gives. */
  public static Executor expanding(Executor inner, Supplier<Node> node) {
    return new Executor() {
      @Override
      public TaskRuntime runtime(Task task) {
        return inner.runtime(expand(task, node.get()));
      }

      @Override
      public void retainOnly(java.util.Set<String> taskIds) {
        inner.retainOnly(taskIds);
      }

      @Override
      public void useDependencies(TaskDependencies dependencies) {
        inner.useDependencies(dependencies);
      }

      @Override
      public Map<String, String> missingFeatures() {
        return inner.missingFeatures();
      }

      @Override
      public ContainerCount containerCount() {
        return inner.containerCount();
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }
}
