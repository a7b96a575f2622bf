package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import io.jswarm.consensus.store.KeyedRows.Keyed;
import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * One table's rows, sorted by id, with its secondary indexes kept in step, as of one applied index. Immutable and
 * persistent: {@link #with} and {@link #without} return a new version that shares all but one path of each tree
 * with this one, so a reader holding a version reads it without any lock while the apply thread makes the next.
 * Rows are immutable once stored: they are never handed out for a change without a copy (scans and shared watches
 * hand them out read-only). Each row is stored with its index and counter keys ({@link KeyedRows}): replacing or
 * removing it moves the keys it was stored with, without computing them again.
 */
final class Table<T extends StoreObject> {
  final TableSpec<T> spec;
  private final KeyedRows<T> keys;
  private final TreePMap<String, Keyed<T>> rows;
  /** Per index slot of {@link #keys}: key -> ids with that key, in id order. */
  private final TreePMap<String, TreePSet<String>>[] indexes;
  /** Per counter slot of {@link #keys}: key -> rows with that key (keys with no row are left out). */
  private final TreePMap<String, Integer>[] counters;

  @SuppressWarnings("unchecked")
  Table(TableSpec<T> spec) {
    this.spec = spec;
    this.keys = new KeyedRows<>(spec);
    this.rows = TreePMap.empty();
    this.indexes = new TreePMap[keys.indexNames.length];
    Arrays.fill(indexes, TreePMap.empty());
    this.counters = new TreePMap[keys.counterNames.length];
    Arrays.fill(counters, TreePMap.empty());
  }

  private Table(Table<T> from, TreePMap<String, Keyed<T>> rows, TreePMap<String, TreePSet<String>>[] indexes,
      TreePMap<String, Integer>[] counters) {
    this.spec = from.spec;
    this.keys = from.keys;
    this.rows = rows;
    this.indexes = indexes;
    this.counters = counters;
  }

  T get(String id) {
    Keyed<T> k = rows.get(id);
    return k == null ? null : k.row();
  }

  /** Every row, in id order (a view). */
  Collection<T> all() {
    Collection<Keyed<T>> stored = rows.values();
    return new AbstractCollection<>() {
      @Override
      public Iterator<T> iterator() {
        Iterator<Keyed<T>> it = stored.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public T next() {
            return it.next().row();
          }
        };
      }

      @Override
      public int size() {
        return stored.size();
      }
    };
  }

  int size() {
    return rows.size();
  }

  /** Rows whose ids start with {@code prefix}, by id: a new map, the caller's to change. */
  TreeMap<String, T> withPrefix(String prefix) {
    TreeMap<String, T> out = new TreeMap<>();
    for (Map.Entry<String, Keyed<T>> e : rows.subMap(prefix, true, prefix + Character.MAX_VALUE, false).entrySet()) {
      out.put(e.getKey(), e.getValue().row());
    }
    return out;
  }

  /** Ids of rows whose {@code index} has {@code key}, in id order (the store's scans rely on it). */
  Set<String> idsBy(String index, String key) {
    int slot = keys.indexSlot(index);
    if (slot < 0) {
      throw new IllegalArgumentException("table " + spec.name() + " has no index " + index);
    }
    Set<String> ids = indexes[slot].get(key);
    return ids == null ? Set.of() : ids;
  }

  /** Counter {@code counter}'s keys starting with {@code prefix}, with how many rows have each (none with 0). */
  SortedMap<String, Integer> counts(String counter, String prefix) {
    int slot = keys.counterSlot(counter);
    if (slot < 0) {
      throw new IllegalArgumentException("table " + spec.name() + " has no counter " + counter);
    }
    return counters[slot].subMap(prefix, true, prefix + Character.MAX_VALUE, false);
  }

  /** This table with {@code row} stored (replacing the row with its id); only index keys that changed move. */
  Table<T> with(T row) {
    Keyed<T> old = rows.get(row.id);
    Keyed<T> now = keys.keyed(row);
    return new Table<>(this, rows.plus(row.id, now), moveIds(old, now, row.id), count(old, now));
  }

  /** This table without the row {@code id} (itself when there is none). */
  Table<T> without(String id) {
    Keyed<T> old = rows.get(id);
    if (old == null) {
      return this;
    }
    return new Table<>(this, rows.minus(id), moveIds(old, null, id), count(old, null));
  }

  /** The indexes with {@code id} moved from {@code before}'s keys to {@code after}'s (either may be null). */
  private TreePMap<String, TreePSet<String>>[] moveIds(Keyed<T> before, Keyed<T> after, String id) {
    TreePMap<String, TreePSet<String>>[] idx = indexes;
    for (int i = 0; i < idx.length; i++) {
      List<String> minus = before == null ? List.of() : before.indexKeys()[i];
      List<String> plus = after == null ? List.of() : after.indexKeys()[i];
      if (minus.equals(plus)) {
        continue;
      }
      TreePMap<String, TreePSet<String>> byKey = idx[i];
      for (String key : minus) {
        if (!plus.contains(key)) {
          byKey = removeId(byKey, key, id);
        }
      }
      for (String key : plus) {
        if (!minus.contains(key)) {
          TreePSet<String> ids = byKey.get(key);
          byKey = byKey.plus(key, (ids == null ? TreePSet.<String>empty() : ids).plus(id));
        }
      }
      if (idx == indexes) {
        idx = idx.clone();
      }
      idx[i] = byKey;
    }
    return idx;
  }

  /** The counters with {@code before}'s keys counted once less and {@code after}'s once more (either may be null). */
  private TreePMap<String, Integer>[] count(Keyed<T> before, Keyed<T> after) {
    TreePMap<String, Integer>[] cnt = counters;
    for (int i = 0; i < cnt.length; i++) {
      List<String> minus = before == null ? List.of() : before.counterKeys()[i];
      List<String> plus = after == null ? List.of() : after.counterKeys()[i];
      if (minus.equals(plus)) {
        continue;
      }
      TreePMap<String, Integer> byKey = cnt[i];
      for (String key : minus) {
        int n = byKey.getOrDefault(key, 0) - 1;
        byKey = n <= 0 ? byKey.minus(key) : byKey.plus(key, n);
      }
      for (String key : plus) {
        byKey = byKey.plus(key, byKey.getOrDefault(key, 0) + 1);
      }
      if (cnt == counters) {
        cnt = cnt.clone();
      }
      cnt[i] = byKey;
    }
    return cnt;
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
    return ids.stream().map(this::get).toList();
  }
}
