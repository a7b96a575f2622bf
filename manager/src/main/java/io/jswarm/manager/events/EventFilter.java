package io.jswarm.manager.events;

import io.jswarm.api.types.EventMessage;
import io.jswarm.transport.http.Filters;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * dockerd's event filters ({@code daemon/events/filter.go}): {@code type}, {@code event} and {@code scope} match
 * exactly; {@code container}, {@code service}, {@code node}, {@code network}, {@code secret}, {@code config},
 * {@code volume}, {@code image}, {@code plugin} and {@code daemon} match the actor's id or {@code name} attribute
 * exactly or as a prefix, and exclude events of any other type; {@code label} matches the actor's attributes
 * ({@code key} or {@code key=value}, all of them). Values of one key are alternatives; keys must all match.
 */
public final class EventFilter implements Predicate<EventMessage> {
  /** The keys {@code /events} takes. */
  public static final Set<String> KEYS = Set.of("config", "container", "daemon", "event", "image", "label",
      "network", "node", "plugin", "scope", "secret", "service", "type", "volume");
  private static final List<String> BY_NAME = List.of("config", "container", "daemon", "image", "network", "node",
      "plugin", "secret", "service", "volume");
  /** Docker matches these event values as prefixes ({@code health_status} takes {@code health_status: healthy}). */
  private static final Set<String> PREFIX_EVENTS = Set.of("health_status", "exec_create", "exec_start");

  private final Filters filters;

  private EventFilter(Filters filters) {
    this.filters = filters;
  }

  /**
   * Parses the {@code filters} query parameter.
   *
   * @throws io.jswarm.api.errors.InvalidArgumentException malformed, or a key not in {@link #KEYS}
   */
  public static EventFilter parse(String json) {
    return new EventFilter(Filters.parse(json, KEYS));
  }

  @Override
  public boolean test(EventMessage m) {
    boolean prefixEvents = filters.get("event").stream().anyMatch(PREFIX_EVENTS::contains);
    if (!filters.any("event", v -> prefixEvents ? Filters.prefix(m.action, v) : v.equals(m.action))) {
      return false;
    }
    if (!filters.any("type", v -> v.equals(m.type)) || !filters.any("scope", v -> v.equals(m.scope))) {
      return false;
    }
    String name = m.attribute("name");
    String id = m.actor == null ? null : m.actor.id;
    for (String key : BY_NAME) {
      if (!filters.any(key, v -> Filters.prefix(id, v) || Filters.prefix(name, v))) {
        return false;
      }
    }
    Map<String, String> attributes = m.actor == null ? null : m.actor.attributes;
    return filters.labels("label", attributes == null ? Map.of() : attributes);
  }
}
