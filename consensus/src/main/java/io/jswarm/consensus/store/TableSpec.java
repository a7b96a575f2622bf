package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Describes one table: its name in change batches and snapshots, the Java type of its rows, a singular noun
 * for error messages, whether {@link StoreObject#uniqueName()} must be unique, and its secondary indexes
 * (index name -> keys of a row; a row may have none).
 */
public record TableSpec<T extends StoreObject>(
    String name,
    Class<T> type,
    String noun,
    boolean uniqueNames,
    Map<String, Function<T, Collection<String>>> indexes) {

  public TableSpec {
    indexes = Map.copyOf(indexes);
  }

  /** The keys of {@code row} in index {@code index}. */
  List<String> keys(String index, T row) {
    Function<T, Collection<String>> f = indexes.get(index);
    if (f == null) {
      throw new IllegalArgumentException("table " + name + " has no index " + index);
    }
    Collection<String> keys = f.apply(row);
    return keys == null ? List.of() : List.copyOf(keys);
  }

  @SuppressWarnings("unchecked")
  T cast(StoreObject o) {
    return (T) type.cast(o);
  }

  @Override
  public String toString() {
    return name;
  }
}
