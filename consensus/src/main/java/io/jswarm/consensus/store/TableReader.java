package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.util.List;

/** Read access to one table inside a transaction. Every row returned is the caller's own copy. */
public interface TableReader<T extends StoreObject> {
  /** The row with this exact id, or null. */
  T get(String id);

  /**
   * {@code reader} applied to the row with this exact id (null when there is none), without copying the row: for
   * reads that look at a field or two on a hot path (a peer's role on every Raft message, a task's node on every
   * status report). Same contract as {@link #scan}: the reader must not change the row nor return or keep it.
   */
  <R> R read(String id, java.util.function.Function<? super T, ? extends R> reader);

  /** All rows, sorted by id. */
  List<T> all();

  /** Rows whose index {@code index} (see {@link Tables}) has {@code key}, sorted by id. */
  List<T> find(String index, String key);

  /** Rows whose id starts with {@code prefix}, sorted by id. */
  List<T> byIdPrefix(String prefix);

  int count();

  /**
   * Visits the rows whose index {@code index} has {@code key}, in id order, without copying them: for reads that
   * only count or look (task counts of {@code service ls}, say). The visitor must not change a row nor keep it past
   * the transaction.
   */
  default void scan(String index, String key, java.util.function.Consumer<? super T> visitor) {
    find(index, key).forEach(visitor);
  }

  /**
   * Counter {@code counter} (see {@link Tables}) of this table: each of its keys starting with {@code prefix}, with
   * how many rows have it (keys no row has are left out), this transaction's own writes included. Reads no row:
   * the store keeps the counts up to date at each apply.
   */
  java.util.SortedMap<String, Integer> counts(String counter, String prefix);

  /** Visits every row, in id order, without copying them; same contract as {@link #scan}. */
  default void scanAll(java.util.function.Consumer<? super T> visitor) {
    all().forEach(visitor);
  }

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
