package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * One table's rows, sorted by id, with its secondary indexes kept in step, as of one applied index. Immutable and
 * persistent: {@link #with} and {@link #without} return a new version that shares all but one path of each tree
 * with this one, so a reader holding a version reads it without any lock while the apply thread makes the next.
 * Rows are immutable once stored: they are never handed out for a change without a copy (scans and shared watches
 * hand them out read-only).
 */
final class Table<T extends StoreObject> {
  final TableSpec<T> spec;
  private final TreePMap<String, T> rows;
  /** index name -> key -> ids with that key, in id order. */
  private final TreePMap<String, TreePMap<String, TreePSet<String>>> indexes;
  /** counter name -> key -> rows with that key (keys with no row are left out). */
  private final TreePMap<String, TreePMap<String, Integer>> counters;

  Table(TableSpec<T> spec) {
    this.spec = spec;
    TreePMap<String, TreePMap<String, TreePSet<String>>> idx = TreePMap.empty();
    for (String index : spec.indexes().keySet()) {
      idx = idx.plus(index, TreePMap.empty());
    }
    TreePMap<String, TreePMap<String, Integer>> cnt = TreePMap.empty();
    for (String counter : spec.counters().keySet()) {
      cnt = cnt.plus(counter, TreePMap.empty());
    }
    this.rows = TreePMap.empty();
    this.indexes = idx;
    this.counters = cnt;
  }

  private Table(TableSpec<T> spec, TreePMap<String, T> rows,
      TreePMap<String, TreePMap<String, TreePSet<String>>> indexes,
      TreePMap<String, TreePMap<String, Integer>> counters) {
    this.spec = spec;
    this.rows = rows;
    this.indexes = indexes;
    this.counters = counters;
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
    TreePMap<String, TreePSet<String>> idx = indexes.get(index);
    if (idx == null) {
      throw new IllegalArgumentException("table " + spec.name() + " has no index " + index);
    }
    Set<String> ids = idx.get(key);
    return ids == null ? Set.of() : ids;
  }

  /** Counter {@code counter}'s keys starting with {@code prefix}, with how many rows have each (none with 0). */
  SortedMap<String, Integer> counts(String counter, String prefix) {
    TreePMap<String, Integer> c = counters.get(counter);
    if (c == null) {
      throw new IllegalArgumentException("table " + spec.name() + " has no counter " + counter);
    }
    return c.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
  }

  /** {@code counters} with {@code before}'s keys counted once less and {@code after}'s once more. */
  private TreePMap<String, TreePMap<String, Integer>> count(TreePMap<String, TreePMap<String, Integer>> cnt, T before,
      T after) {
    for (String counter : spec.counters().keySet()) {
      List<String> minus = before == null ? List.of() : spec.counterKeys(counter, before);
      List<String> plus = after == null ? List.of() : spec.counterKeys(counter, after);
      if (minus.equals(plus)) {
        continue;
      }
      TreePMap<String, Integer> byKey = cnt.get(counter);
      for (String key : minus) {
        int n = byKey.getOrDefault(key, 0) - 1;
        byKey = n <= 0 ? byKey.minus(key) : byKey.plus(key, n);
      }
      for (String key : plus) {
        byKey = byKey.plus(key, byKey.getOrDefault(key, 0) + 1);
      }
      cnt = cnt.plus(counter, byKey);
    }
    return cnt;
  }

  /** This table with {@code row} stored (replacing the row with its id); only index keys that changed move. */
  Table<T> with(T row) {
    T old = rows.get(row.id);
    TreePMap<String, TreePMap<String, TreePSet<String>>> idx = indexes;
    for (String index : spec.indexes().keySet()) {
      List<String> before = old == null ? List.of() : spec.keys(index, old);
      List<String> after = spec.keys(index, row);
      if (before.equals(after)) {
        continue;
      }
      TreePMap<String, TreePSet<String>> byKey = idx.get(index);
      for (String key : before) {
        if (!after.contains(key)) {
          byKey = removeId(byKey, key, row.id);
        }
      }
      for (String key : after) {
        if (!before.contains(key)) {
          TreePSet<String> ids = byKey.get(key);
          byKey = byKey.plus(key, (ids == null ? TreePSet.<String>empty() : ids).plus(row.id));
        }
      }
      idx = idx.plus(index, byKey);
    }
    return new Table<>(spec, rows.plus(row.id, row), idx, count(counters, old, row));
  }

  /** This table without the row {@code id} (itself when there is none). */
  Table<T> without(String id) {
    T old = rows.get(id);
    if (old == null) {
      return this;
    }
    TreePMap<String, TreePMap<String, TreePSet<String>>> idx = indexes;
    for (String index : spec.indexes().keySet()) {
      TreePMap<String, TreePSet<String>> byKey = idx.get(index);
      for (String key : spec.keys(index, old)) {
        byKey = removeId(byKey, key, id);
      }
      idx = idx.plus(index, byKey);
    }
    return new Table<>(spec, rows.minus(id), idx, count(counters, old, null));
  }

  private static TreePMap<String, TreePSet<String>> removeId(TreePMap<String, TreePSet<String>> byKey, String key,
      String id) {
    TreePSet<String> ids = byKey.get(key);
    if (ids == null) {
      return byKey;
    }
    TreePSet<String> left = ids.minus(id);
    return left.isEmpty() ? byKey.minus(key) : byKey.plus(key, left);
  }

  List<T> rowsFor(Collection<String> ids) {
    return ids.stream().map(rows::get).toList();
  }
}
