package io.jswarm.api.types;

/**
 * When a task that stopped is replaced (Docker {@code RestartPolicy}). Condition: none|on-failure|any
 * (default any). {@code Delay} and {@code Window} are nanoseconds; MaxAttempts 0 means no limit.
 */
public class RestartPolicy {
  public String condition;
  public Long delay;
  public Long maxAttempts;
  public Long window;
}
