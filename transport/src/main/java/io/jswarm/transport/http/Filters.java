package io.jswarm.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Docker's {@code filters} query parameter: JSON {@code {"name":{"web":true}}}, or the pre-1.22 form
 * {@code {"name":["web"]}}. Values of one key are alternatives (any may match); different keys must all match.
 * The one parser of every list route (services, nodes, tasks, networks, volumes, images, ...): anything else than
 * such an object is a 400 naming the {@code filters} parameter.
 */
public final class Filters {
  private final Map<String, List<String>> values;

  private Filters(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Parses {@code json} (null or empty: no filters) and checks every key is one of {@code allowed}.
   *
   * @throws InvalidArgumentException malformed JSON, or "invalid filter 'x'" for a key the list does not take
   */
  public static Filters parse(String json, Set<String> allowed) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return new Filters(values);
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException("invalid filters " + quote(json) + ": malformed JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidArgumentException("invalid filters " + quote(json)
          + ": want a JSON object such as {\"name\":{\"web\":true}}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> vs = new ArrayList<>();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        v.fields().forEachRemaining(f -> {
          if (!f.getValue().isBoolean() || f.getValue().booleanValue()) {
            vs.add(f.getKey());
          }
        });
      } else if (v.isArray()) {
        v.forEach(x -> vs.add(x.asText()));
      } else {
        throw new InvalidArgumentException("invalid filters " + quote(json) + ": the value of \"" + quote(e.getKey())
            + "\" must be an object {\"value\":true} or a list [\"value\"]");
      }
      values.put(e.getKey(), vs);
    }
    for (String k : values.keySet()) {
      if (!allowed.contains(k)) {
        throw new InvalidArgumentException("invalid filter '" + quote(k) + "'; allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowed)));
      }
    }
    return new Filters(values);
  }

  public List<String> get(String key) {
    return values.getOrDefault(key, List.of());
  }

  /** True when {@code key} is not filtered on, or when one of its values satisfies {@code p}. */
  public boolean any(String key, Predicate<String> p) {
    List<String> vs = get(key);
    if (vs.isEmpty()) {
      return true;
    }
    for (String v : vs) {
      if (p.test(v)) {
        return true;
      }
    }
    return false;
  }

  /** Label filters: every value ({@code key} or {@code key=value}) must match, as dockerd does. */
  public boolean labels(String key, Map<String, String> labels) {
    for (String f : get(key)) {
      if (!labelMatches(labels, f)) {
        return false;
      }
    }
    return true;
  }

  public static boolean labelMatches(Map<String, String> labels, String filter) {
    if (labels == null) {
      return false;
    }
    int eq = filter.indexOf('=');
    if (eq < 0) {
      return labels.containsKey(filter);
    }
    return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
  }

  public static boolean prefix(String value, String prefix) {
    return value != null && value.startsWith(prefix);
  }

  /** Every filtered key with its values. */
  public Map<String, List<String>> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /** At most 100 characters of what the client sent, for messages. */
  private static String quote(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
