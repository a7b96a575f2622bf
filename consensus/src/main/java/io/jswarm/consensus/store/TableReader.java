package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Read access to one table inside a transaction. Every row returned is the caller's own copy. */
public interface TableReader<T extends StoreObject> {
  /** The row with this exact id, or null. */
  T get(String id);

  /** All rows, sorted by id. */
  List<T> all();

  /** Rows whose index {@code index} (see {@link Tables}) has {@code key}, sorted by id. */
  List<T> find(String index, String key);

  /**
   * {@code f} of each row {@link #find} would return, in the same order, without copying the rows: for reads
   * over many rows (counting a service's tasks) where a copy of each would cost more than the answer. {@code f}
   * sees the stored row: it must neither change it nor keep a reference to it.
   */
  default <R> List<R> findMapped(String index, String key, Function<? super T, ? extends R> f) {
    List<R> out = new ArrayList<>();
    for (T row : find(index, key)) {
      out.add(f.apply(row));
    }
    return out;
  }

  /** Rows whose id starts with {@code prefix}, sorted by id. */
  List<T> byIdPrefix(String prefix);

  int count();

  /** The row with this name (first by id if names are not unique), or null. */
  default T byName(String name) {
    List<T> rows = find(Tables.BY_NAME, name);
    return rows.isEmpty() ? null : rows.get(0);
  }

  /**
   * Resolves what a user typed the way the Docker CLI does: exact id, then exact name, then a unique id prefix.
   *
   * @throws io.jswarm.api.errors.NotFoundException when nothing matches
   * @throws io.jswarm.api.errors.InvalidArgumentException when a prefix or name matches several rows
   */
  T lookup(String idOrNameOrPrefix);
}
