package io.jswarm.cli.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code filters} query parameter of Docker's list endpoints: {@code {"name":["web"],"role":["manager"]}}. */
public final class Filters {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  /** Adds {@code key=value} strings from {@code --filter}. */
  public static Filters parse(List<String> filterFlags) {
    Filters f = new Filters();
    for (String s : filterFlags) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("invalid --filter \"" + s + "\": want key=value, such as name=web");
      }
      f.add(s.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT), s.substring(eq + 1));
    }
    return f;
  }

  public Filters add(String key, String value) {
    List<String> list = values.get(key); // not computeIfAbsent's lambda (see ServiceListing)
    if (list == null) {
      list = new ArrayList<>();
      values.put(key, list);
    }
    list.add(value);
    return this;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** {@code filters=<url-encoded JSON>}, or "" when there are none. */
  public String query() {
    if (values.isEmpty()) {
      return "";
    }
    return "filters=" + URLEncoder.encode(JsonTrees.write(values), StandardCharsets.UTF_8);
  }

  /** Appends the filters to a path that may already have a query. */
  public String appendTo(String path) {
    String q = query();
    if (q.isEmpty()) {
      return path;
    }
    return path + (path.contains("?") ? "&" : "?") + q;
  }
}
