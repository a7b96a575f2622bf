package io.jswarm.reliability.check;

/**
 * Something a checker found that a correct cluster cannot produce.
 *
 * @param checker which checker ({@code linearizable}, {@code lost-write}, {@code task-state}, {@code slots},
 *     {@code leaks})
 * @param subject the key, task, slot or resource concerned
 * @param detail what was seen, with the operations involved
 */
public record Anomaly(String checker, String subject, String detail) {
  @Override
  public String toString() {
    return checker + ": " + subject + ": " + detail;
  }
}
