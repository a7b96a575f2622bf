package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A table's index and counter key functions in a fixed order, and the {@link Keyed} form in which {@link Table} stores
 * each row: the row with the keys it had when stored. An update then computes the keys of the new row only, never
 * again those of the row it replaces (the apply path's cost per row: docs/scale.md, "What one 200-row entry costs").
 */
final class KeyedRows<T extends StoreObject> {
  /** Index names, sorted; slot {@code i} of {@link Keyed#indexKeys} holds index {@code indexNames[i]}'s keys. */
  final String[] indexNames;
  /** Counter names, sorted; slot {@code i} of {@link Keyed#counterKeys} holds counter {@code counterNames[i]}'s keys. */
  final String[] counterNames;
  private final Function<T, Collection<String>>[] indexFns;
  private final Function<T, Collection<String>>[] counterFns;

  /** A stored row and its keys (never changed once made, as the row). */
  record Keyed<T>(T row, List<String>[] indexKeys, List<String>[] counterKeys) {}

  KeyedRows(TableSpec<T> spec) {
    Map<String, Function<T, Collection<String>>> idx = new TreeMap<>(spec.indexes());
    Map<String, Function<T, Collection<String>>> cnt = new TreeMap<>(spec.counters());
    indexNames = idx.keySet().toArray(String[]::new);
    counterNames = cnt.keySet().toArray(String[]::new);
    indexFns = functions(idx);
    counterFns = functions(cnt);
  }

  @SuppressWarnings("unchecked")
  private static <T> Function<T, Collection<String>>[] functions(Map<String, Function<T, Collection<String>>> byName) {
    return byName.values().toArray(Function[]::new);
  }

  /** {@code row} with its keys computed now. */
  Keyed<T> keyed(T row) {
    return new Keyed<>(row, keys(indexFns, row), keys(counterFns, row));
  }

  @SuppressWarnings("unchecked")
  private static <T> List<String>[] keys(Function<T, Collection<String>>[] fns, T row) {
    List<String>[] out = new List[fns.length];
    for (int i = 0; i < fns.length; i++) {
      Collection<String> keys = fns[i].apply(row);
      out[i] = keys == null ? List.of() : List.copyOf(keys); // an immutable list is kept as it is
    }
    return out;
  }

  /** The slot of index {@code name} in {@link Keyed#indexKeys}, or -1. */
  int indexSlot(String name) {
    return slot(indexNames, name);
  }

  /** The slot of counter {@code name} in {@link Keyed#counterKeys}, or -1. */
  int counterSlot(String name) {
    return slot(counterNames, name);
  }

  private static int slot(String[] names, String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
