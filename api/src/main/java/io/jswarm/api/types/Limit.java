package io.jswarm.api.types;

/** Upper bounds a task's container runs under (Docker {@code Limit}); 0 or absent means unlimited. */
public class Limit {
  public Long nanoCPUs;
  public Long memoryBytes;
  public Long pids;
}
