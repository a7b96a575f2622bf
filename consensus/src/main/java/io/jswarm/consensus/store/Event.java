package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;

/**
 * A change seen by a {@link Watch}: one row created, updated or deleted at Raft index {@code index}, or a
 * {@link Kind#COMMIT} marking the end of one applied batch (handy to debounce work, as swarmkit does).
 * {@code object} is the row after the change (for deletes: the row that was removed); {@code old} is the row
 * before an update. Each watcher gets its own copies.
 */
public record Event(Kind kind, long index, TableSpec<? extends StoreObject> table, StoreObject object,
    StoreObject old) {

  public enum Kind {
    CREATE,
    UPDATE,
    DELETE,
    COMMIT
  }

  static Event commit(long index) {
    return new Event(Kind.COMMIT, index, null, null, null);
  }

  public boolean isCommit() {
    return kind == Kind.COMMIT;
  }

  /** True when this event is about a row of {@code t}. */
  public boolean isIn(TableSpec<?> t) {
    return table == t;
  }

  /** The row, cast to the table's type. */
  public <T extends StoreObject> T as(TableSpec<T> t) {
    if (table != t) {
      throw new IllegalArgumentException("event is about " + table + ", not " + t);
    }
    return t.type().cast(object);
  }
}
