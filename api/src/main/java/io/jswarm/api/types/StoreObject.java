package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Fields every object kept in the cluster store carries, with Docker's JSON names. {@code Version.Index} is
 * set by the store (the Raft index of the last change); timestamps are set by whoever proposes the change, so
 * that applying a change is deterministic on every manager.
 */
public abstract class StoreObject {
  @JsonProperty("ID")
  public String id;

  public Version version;
  public String createdAt;
  public String updatedAt;

  /** The object's unique name within its table, or null when the table has no unique names. */
  public abstract String uniqueName();

  /** Version index, 0 when the object was never stored. */
  public long versionIndex() {
    return version == null ? 0 : version.index;
  }
}
