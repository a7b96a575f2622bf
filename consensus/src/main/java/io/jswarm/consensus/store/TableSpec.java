package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Describes one table: its name in change batches and snapshots, the Java type of its rows, a singular noun
 * for error messages, whether {@link StoreObject#uniqueName()} must be unique, its secondary indexes
 * (index name -> keys of a row; a row may have none), and its counters (counter name -> keys of a row): a counter
 * keeps how many rows have each key, in step with every apply, so that a count is read without visiting the rows
 * ({@link TableReader#counts}).
 */
public record TableSpec<T extends StoreObject>(
    String name,
    Class<T> type,
    String noun,
    boolean uniqueNames,
    Map<String, Function<T, Collection<String>>> indexes,
    Map<String, Function<T, Collection<String>>> counters) {

  public TableSpec {
    indexes = Map.copyOf(indexes);
    counters = Map.copyOf(counters);
  }

  /** A table without counters. */
  public TableSpec(String name, Class<T> type, String noun, boolean uniqueNames,
      Map<String, Function<T, Collection<String>>> indexes) {
    this(name, type, noun, uniqueNames, indexes, Map.of());
  }

  /** The keys of {@code row} in counter {@code counter}. */
  List<String> counterKeys(String counter, T row) {
    return keysOf(counters, "counter", counter, row);
  }

  /** The keys of {@code row} in index {@code index}. */
  List<String> keys(String index, T row) {
    return keysOf(indexes, "index", index, row);
  }

  private List<String> keysOf(Map<String, Function<T, Collection<String>>> byName, String kind, String which, T row) {
    Function<T, Collection<String>> f = byName.get(which);
    if (f == null) {
      throw new IllegalArgumentException("table " + name + " has no " + kind + " " + which);
    }
    Collection<String> keys = f.apply(row);
    return keys == null ? List.of() : List.copyOf(keys);
  }

  @SuppressWarnings("unchecked")
  T cast(StoreObject o) {
    return (T) type.cast(o);
  }

  /**
   * The name's hash: a record's own hash would hash the index and counter maps on every lookup of a table by its spec
   * (a few per row applied, 2-3 % of the apply's CPU). Equal specs have equal names: it agrees with equals.
   */
  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
