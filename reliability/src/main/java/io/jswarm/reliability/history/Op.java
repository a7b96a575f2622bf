package io.jswarm.reliability.history;

/**
 * One client operation on one key (a service name): what was asked, when (invoke and complete, nanoseconds on one
 * clock), and how it ended. Values are what the client wrote or read (the label it puts in the spec, unique per
 * write); {@code null} stands for "no such service".
 *
 * @param process the client that ran it (a client does one operation at a time)
 * @param type what it did
 * @param key the service name
 * @param expected for {@link Type#CAS}: the value the client read before (its version is what it sent)
 * @param value written ({@code CREATE}, {@code CAS}) or read ({@code READ}, null: absent)
 * @param invoke when the client sent it
 * @param complete when the answer came; {@link Long#MAX_VALUE} for {@link Outcome#UNKNOWN}
 * @param outcome how it ended
 * @param via the manager that served it (its API address; empty when not known), to replay an anomaly
 */
public record Op(int process, Type type, String key, String expected, String value, long invoke, long complete,
    Outcome outcome, String via) {

  /** What an operation does to a service, as a compare-and-set register. */
  public enum Type {
    /** POST /services/create: succeeds only when the name is free. */
    CREATE,
    /** POST /services/{id}/update?version=V: succeeds only when the service is still at the value read. */
    CAS,
    /** GET /services/{id}: the value now, or null. */
    READ,
    /** DELETE /services/{id}. */
    DELETE
  }

  public Op(int process, Type type, String key, String expected, String value, long invoke, long complete,
      Outcome outcome) {
    this(process, type, key, expected, value, invoke, complete, outcome, "");
  }

  public Op {
    via = via == null ? "" : via;
    if (outcome == Outcome.UNKNOWN) {
      complete = Long.MAX_VALUE;
    }
    if (complete < invoke) {
      throw new IllegalArgumentException("op completes before it is invoked: " + invoke + " > " + complete);
    }
  }

  public static Op create(int p, String key, String value, long invoke, long complete, Outcome o) {
    return new Op(p, Type.CREATE, key, null, value, invoke, complete, o);
  }

  public static Op cas(int p, String key, String expected, String value, long invoke, long complete, Outcome o) {
    return new Op(p, Type.CAS, key, expected, value, invoke, complete, o);
  }

  public static Op read(int p, String key, String seen, long invoke, long complete) {
    return new Op(p, Type.READ, key, null, seen, invoke, complete, Outcome.OK);
  }

  public static Op delete(int p, String key, long invoke, long complete, Outcome o) {
    return new Op(p, Type.DELETE, key, null, null, invoke, complete, o);
  }

  /** This operation as served by manager {@code apiAddr}. */
  public Op via(String apiAddr) {
    return new Op(process, type, key, expected, value, invoke, complete, outcome, apiAddr);
  }

  /** A write of the register: create, CAS or delete. */
  public boolean isWrite() {
    return type != Type.READ;
  }

  private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
      "p(-?\\d+) (\\S+) (create\\((\\S*)\\)|cas\\((\\S*?)->(\\S*)\\)|read=(\\S*)|delete)"
      + " \\[(\\d+), (\\d+|\\?)\\] (OK|FAILED|UNKNOWN)(?: via (\\S+))?");

  /** The operation a {@link #toString} line describes (a report's history), to check it again; null: not one. */
  public static Op parse(String line) {
    java.util.regex.Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) {
      return null;
    }
    String what = m.group(3);
    Type type = what.startsWith("create") ? Type.CREATE : what.startsWith("cas") ? Type.CAS
        : what.startsWith("read") ? Type.READ : Type.DELETE;
    String expected = type == Type.CAS ? nullable(m.group(5)) : null;
    String value = switch (type) {
      case CREATE -> nullable(m.group(4));
      case CAS -> nullable(m.group(6));
      case READ -> nullable(m.group(7));
      case DELETE -> null;
    };
    long complete = m.group(9).equals("?") ? Long.MAX_VALUE : Long.parseLong(m.group(9));
    return new Op(Integer.parseInt(m.group(1)), type, m.group(2), expected, value, Long.parseLong(m.group(8)),
        complete, Outcome.valueOf(m.group(10)), m.group(11));
  }

  private static String nullable(String v) {
    return v.equals("null") ? null : v;
  }

  @Override
  public String toString() {
    String what = switch (type) {
      case CREATE -> "create(" + value + ")";
      case CAS -> "cas(" + expected + "->" + value + ")";
      case READ -> "read=" + value;
      case DELETE -> "delete";
    };
    return "p" + process + " " + key + " " + what + " [" + invoke + ", "
        + (complete == Long.MAX_VALUE ? "?" : complete) + "] " + outcome + (via.isEmpty() ? "" : " via " + via);
  }
}
