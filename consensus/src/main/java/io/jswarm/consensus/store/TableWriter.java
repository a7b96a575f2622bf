package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;

/**
 * Write access to one table inside {@link MemoryStore#update}. Writes are recorded in the transaction and
 * proposed as one batch when the closure returns; reads in the same transaction see them.
 */
public interface TableWriter<T extends StoreObject> extends TableReader<T> {
  /**
   * Adds a row. A null id gets a fresh one; timestamps are set from the store clock; the version is set when
   * the batch is applied. Returns the row as it will be stored (a copy).
   *
   * @throws io.jswarm.api.errors.ConflictException when the id or (unique) name is taken
   */
  T create(T row);

  /**
   * {@link #create} without its two copies: {@code row} itself becomes this transaction's change (the store sets its
   * id when null, its timestamps and version) and is returned. For a writer that made the row for this call and lets
   * go of it: neither the caller nor anyone else may change {@code row} (nor what it holds) afterwards, except by
   * handing it to {@link #update} or {@link #replace} in this transaction. It may share nested objects with stored
   * rows, which it must not change either (the orchestrator's new tasks share their service's template). A
   * 100,000-replica create makes 200,000 fewer JSON copies this way.
   *
   * @throws io.jswarm.api.errors.ConflictException when the id or (unique) name is taken
   */
  default T insert(T row) {
    return create(row);
  }

  /**
   * Replaces a row. Compare-and-set: {@code row.version} must be the stored version, checked now and again
   * when the batch is applied, so a concurrent writer can never be silently overwritten.
   *
   * @throws io.jswarm.api.errors.NotFoundException when the row does not exist
   * @throws io.jswarm.api.errors.ConflictException when the version is stale or the new name is taken
   */
  T update(T row);

  /**
   * {@link #update} without its two copies: {@code row} itself becomes this transaction's change and nothing is
   * returned. For a writer that read the row in this transaction ({@link #get} gives its own copy; or a shallow copy
   * made inside {@link #read}, such as {@code Task.withOwnStatus}, whose shared parts it replaces, never changes),
   * changed it and lets go of it: the caller must not change {@code row} (nor what it holds) afterwards. A status
   * write of 100,000 tasks makes 200,000 fewer JSON copies this way.
   *
   * @throws io.jswarm.api.errors.NotFoundException when the row does not exist
   * @throws io.jswarm.api.errors.ConflictException when the version is stale or the new name is taken
   */
  default void replace(T row) {
    update(row);
  }

  /**
   * {@link #replace} for a change of a few top-level fields: {@code fields} has the row's id and the version read
   * ({@code version}, compare-and-set as for {@link #update}) and sets only the fields that change, every other one
   * null (a field cannot be set to null this way; a nested object is replaced whole). The rest of the row is the
   * stored one, and only the set fields travel through the log: a task's status move is a few hundred bytes instead of
   * the whole ~1 KB row. The caller lets go of {@code fields} and of what it holds, as for {@link #replace}.
   *
   * @throws io.jswarm.api.errors.NotFoundException when the row does not exist
   * @throws io.jswarm.api.errors.ConflictException when the version is stale or the new name is taken
   */
  void patch(T fields);

  /**
   * Removes a row, provided it still has the version read now when the batch is applied.
   *
   * @throws io.jswarm.api.errors.NotFoundException when the row does not exist
   */
  void delete(String id);
}
