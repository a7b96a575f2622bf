package io.jswarm.api.types;

import io.jswarm.api.errors.InvalidArgumentException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One parsed placement constraint, {@code KEY==VALUE} or {@code KEY!=VALUE}, with Swarm's grammar: spaces
 * around key and value are ignored; the key is one of {@link #ATTRIBUTES} or {@code node.labels.<name>} /
 * {@code engine.labels.<name>} (matched case-insensitively, label names case-sensitive); the value uses
 * letters, digits, whitespace and {@code : - _ . * ( ) ? + [ ] \ ^ $ | /}; {@code node.role} takes
 * {@code manager} or {@code worker}. Matching a node against a constraint is {@link ConstraintMatcher}'s job.
 *
 * @param key the key as written (trimmed)
 * @param operator equality or inequality
 * @param value the value as written (trimmed)
 */
public record PlacementConstraint(String key, Operator operator, String value) {
  /** The node attributes a constraint can name besides labels. */
  public static final List<String> ATTRIBUTES =
      List.of("node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch");

  public static final String NODE_LABEL_PREFIX = "node.labels.";
  public static final String ENGINE_LABEL_PREFIX = "engine.labels.";

  private static final Pattern VALUE = Pattern.compile("^[a-zA-Z0-9:\\-_\\s.*()?+\\[\\]\\\\^$|/]+$");

  /** The comparison of a constraint. */
  public enum Operator {
    EQUALS("=="),
    NOT_EQUALS("!=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /**
   * Parses one constraint expression. {@code ==} is looked for first, as Swarm does.
   *
   * @throws InvalidArgumentException naming what is wrong and what is allowed
   */
  public static PlacementConstraint parse(String expression) {
    String e = expression == null ? "" : expression;
    Operator op = e.contains("==") ? Operator.EQUALS : e.contains("!=") ? Operator.NOT_EQUALS : null;
    if (op == null) {
      throw new InvalidArgumentException("\"" + e + "\" has no operator; write KEY==VALUE or KEY!=VALUE");
    }
    int at = e.indexOf(op.symbol);
    String key = e.substring(0, at).trim();
    String value = e.substring(at + 2).trim();
    String lower = key.toLowerCase(Locale.ROOT);
    boolean label = hasLabelName(lower, NODE_LABEL_PREFIX) || hasLabelName(lower, ENGINE_LABEL_PREFIX);
    if (!label && !ATTRIBUTES.contains(lower)) {
      throw new InvalidArgumentException("\"" + e + "\" has unknown key \"" + key + "\"; use one of "
          + String.join(", ", ATTRIBUTES) + ", node.labels.<name> or engine.labels.<name>");
    }
    if (!VALUE.matcher(value).matches()) {
      throw new InvalidArgumentException("\"" + e + "\" has an invalid value \"" + value
          + "\"; use letters, digits, whitespace and : - _ . * ( ) ? + [ ] \\ ^ $ | /");
    }
    if (lower.equals("node.role") && !value.equalsIgnoreCase("manager") && !value.equalsIgnoreCase("worker")) {
      throw new InvalidArgumentException("\"" + e + "\" compares node.role with \"" + value
          + "\"; a role is manager or worker");
    }
    return new PlacementConstraint(key, op, value);
  }

  private static boolean hasLabelName(String lowerKey, String prefix) {
    return lowerKey.startsWith(prefix) && lowerKey.length() > prefix.length();
  }

  @Override
  public String toString() {
    return key + operator.symbol + value;
  }
}
