package io.jswarm.api.types;

/** An object's version: the Raft log index of its last change. Updates compare-and-set on it. */
public class Version {
  public long index;

  public Version() {}

  public Version(long index) {
    this.index = index;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v && v.index == index;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index);
  }

  @Override
  public String toString() {
    return Long.toString(index);
  }
}
