package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One table's rows, sorted by id, with its secondary indexes kept in step. Not thread-safe: the store guards
 * it with its lock. Rows are owned by the table and never handed out without a copy.
 */
final class Table<T extends StoreObject> {
  final TableSpec<T> spec;
  private final NavigableMap<String, T> rows = new TreeMap<>();
  private final Map<String, Map<String, Set<String>>> indexes = new HashMap<>();

  Table(TableSpec<T> spec) {
    this.spec = spec;
    for (String index : spec.indexes().keySet()) {
      indexes.put(index, new HashMap<>());
    }
  }

  T get(String id) {
    return rows.get(id);
  }

  Collection<T> all() {
    return rows.values();
  }

  int size() {
    return rows.size();
  }

  /** Ids starting with {@code prefix}, in order. */
  SortedMap<String, T> withPrefix(String prefix) {
    return rows.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
  }

  /** Ids of rows whose {@code index} has {@code key}, in id order (the store's scans rely on it). */
  Set<String> idsBy(String index, String key) {
    Map<String, Set<String>> idx = indexes.get(index);
    if (idx == null) {
      throw new IllegalArgumentException("table " + spec.name() + " has no index " + index);
    }
    Set<String> ids = idx.get(key);
    return ids == null ? Set.of() : ids;
  }

  void put(T row) {
    T old = rows.put(row.id, row);
    if (old != null) {
      unindex(old);
    }
    for (String index : spec.indexes().keySet()) {
      for (String key : spec.keys(index, row)) {
        indexes.get(index).computeIfAbsent(key, k -> new TreeSet<>()).add(row.id);
      }
    }
  }

  T remove(String id) {
    T old = rows.remove(id);
    if (old != null) {
      unindex(old);
    }
    return old;
  }

  void clear() {
    rows.clear();
    indexes.values().forEach(Map::clear);
  }

  private void unindex(T row) {
    for (String index : spec.indexes().keySet()) {
      Map<String, Set<String>> idx = indexes.get(index);
      for (String key : spec.keys(index, row)) {
        Set<String> ids = idx.get(key);
        if (ids != null) {
          ids.remove(row.id);
          if (ids.isEmpty()) {
            idx.remove(key);
          }
        }
      }
    }
  }

  List<T> rowsFor(Collection<String> ids) {
    return ids.stream().map(rows::get).toList();
  }
}
