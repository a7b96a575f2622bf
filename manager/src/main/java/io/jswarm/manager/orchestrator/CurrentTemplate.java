package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a task was made from its service's current template ({@link TaskFacts#template}), remembered per task
 * version: a task's spec and endpoint spec do not change while its {@code Version.Index} stays, so a pass over a
 * service of 100,000 tasks turns into JSON trees only the tasks that changed since the last pass (and all of them
 * once after a spec change), not every task every pass. Used on the orchestrator's pass thread only.
 */
final class CurrentTemplate {
  /** Bound of the memory (entries); past it everything is forgotten and recomputed once. */
  static final int MAX_REMEMBERED = 250_000;

  /** A verdict on one task version against one template (compared by identity, see {@link #of}). */
  private record Verdict(long version, JsonNode template, boolean matches) {}

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
    long version = t.versionIndex();
    if (version == 0 || t.id == null) {
      return TaskFacts.current(t).equals(template); // made in this pass: not stored yet
    }
    Verdict v = verdicts.get(t.id);
    if (v != null && v.version == version && v.template == template) {
      return v.matches;
    }
    boolean matches = TaskFacts.current(t).equals(template);
    if (verdicts.size() >= MAX_REMEMBERED) {
      verdicts.clear();
    }
    verdicts.put(t.id, new Verdict(version, template, matches));
    return matches;
  }

  /** Forgets everything (leadership lost). */
  synchronized void clear() {
    templates.clear();
    verdicts.clear();
  }
}
