package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a task was made from its service's current template ({@link TaskFacts#template}), remembered per task: the
 * verdict holds while the task's {@code Spec} and endpoint spec are the same objects it was made from (stored rows
 * never change, and a status move, a patch or a copy with its own status, keeps them), so a pass over a service of
 * 100,000 tasks turns into JSON trees only the tasks whose spec objects are new since the last pass (and all of them
 * once after a spec change), not every task every pass nor every version of a task. Used on the orchestrator's pass
 * thread only.
 */
final class CurrentTemplate {
  /** Bound of the memory (entries); past it everything is forgotten and recomputed once. */
  static final int MAX_REMEMBERED = 250_000;

  /**
   * A verdict on one task's spec and endpoint spec against one template, all three compared by identity (see
   * {@link #of}). The specs are held weakly: the verdicts of deleted tasks must not keep their specs alive.
   */
  private record Verdict(WeakReference<TaskSpec> spec, WeakReference<EndpointSpec> endpointSpec, JsonNode template,
      boolean matches) {
    boolean holds(TaskSpec s, EndpointSpec e, JsonNode t) {
      return template == t && spec.get() == s && endpointSpec.get() == e;
    }
  }

  /** The last template of each service: an unchanged template keeps its identity from pass to pass. */
  private final Map<String, JsonNode> templates = new HashMap<>();
  private final Map<String, Verdict> verdicts = new HashMap<>();

  /** The service's current template, the same object as last time when it did not change. */
  synchronized JsonNode of(Service service) {
    JsonNode t = TaskFacts.template(service);
    JsonNode last = templates.get(service.id);
    if (t.equals(last)) {
      return last;
    }
    if (templates.size() >= MAX_REMEMBERED) {
      templates.clear();
    }
    templates.put(service.id, t);
    return t;
  }

  /** True when the task's spec and endpoint spec are {@code template} (a tree from {@link #of}). */
  synchronized boolean matches(Task t, JsonNode template) {
    if (t.versionIndex() == 0 || t.id == null) {
      return TaskFacts.current(t).equals(template); // made in this pass: not stored yet
    }
    EndpointSpec endpointSpec = t.endpoint == null ? null : t.endpoint.spec;
    Verdict v = verdicts.get(t.id);
    if (v != null && v.holds(t.spec, endpointSpec, template)) {
      return v.matches;
    }
    boolean matches = TaskFacts.current(t).equals(template);
    if (verdicts.size() >= MAX_REMEMBERED) {
      verdicts.clear();
    }
    verdicts.put(t.id, new Verdict(new WeakReference<>(t.spec), new WeakReference<>(endpointSpec), template, matches));
    return matches;
  }

  /** Forgets everything (leadership lost). */
  synchronized void clear() {
    templates.clear();
    verdicts.clear();
  }
}
