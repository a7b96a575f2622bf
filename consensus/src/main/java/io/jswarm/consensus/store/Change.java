package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;

/**
 * One change inside a batch. {@code expectedVersion} is the version the writer read: the apply rejects the
 * whole batch when the stored row has moved on (compare-and-set). {@code object} is null for deletes; for a
 * {@link Op#PATCH} it holds only the fields that change ({@link RowPatch}).
 */
public record Change(Op op, TableSpec<? extends StoreObject> table, String id, long expectedVersion,
    StoreObject object) {

  public enum Op {
    CREATE,
    UPDATE,
    DELETE,
    /** An update carrying only the fields that change, applied to the stored row of the expected version. */
    PATCH
  }
}
