package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * A JSON document read into the tree Jackson's parser gives ({@link JsonTrees#parse}): int, long or big integer
 * nodes by size, double nodes, last duplicate key wins. Written out because
 * Jackson's parser links invokedynamic call sites (its number parsing compiles a regular expression, which makes
 * lambdas) and sets up its buffer pools and name tables: ~10 ms of a cold client (docs/footprint.md, "The CLI's
 * start"). It reads well-formed JSON within Jackson's default limits only: anything else (a syntax error, invalid
 * UTF-8, nesting deeper than 1000, a number longer than 1000 characters, anything after the value) returns null, and
 * the caller asks
 * Jackson, whose tree or error message is then the answer, as before.
 */
final class JsonReader {
  // Jackson's default StreamReadConstraints
  private static final int MAX_DEPTH = 1000;
  private static final int MAX_NUMBER_LENGTH = 1000;
  private static final int MAX_NAME_LENGTH = 50_000;
  private static final int MAX_STRING_LENGTH = 20_000_000;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Not JSON this reader takes: Jackson decides. */
  private static final class NotPlain extends Exception {
    NotPlain() {
      super(null, null, false, false);
    }
  }

  private final byte[] in;
  private int at;
  private int depth;

  private JsonReader(byte[] in) {
    this.in = in;
  }

  /** The document's first value (a missing node for an empty one), or null when Jackson has to read it. */
  static JsonNode read(byte[] json) {
    return read(json, JsonShape.WHOLE);
  }

  /**
   * Like {@link #read(byte[])}, keeping only the members {@code shape} names: what it skips is still checked, so a
   * document is read (or left to Jackson) exactly when the whole one would be, and the tree is the whole tree without
   * the members skipped.
   */
  static JsonNode read(byte[] json, JsonShape shape) {
    JsonReader r = new JsonReader(json);
    try {
      r.skipSpace();
      if (r.at == json.length) {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      }
      JsonNode value = r.value(shape);
      r.skipSpace();
      return r.at == json.length ? value : null; // what follows the value: Jackson's rules for it decide
    } catch (NotPlain | RuntimeException e) {
      return null;
    }
  }

  private JsonNode value(JsonShape shape) throws NotPlain {
    if (at >= in.length) {
      throw new NotPlain();
    }
    byte c = in[at];
    switch (c) {
      case '{':
        return object(shape);
      case '[':
        return array(shape);
      case '"':
        return NODES.textNode(string(MAX_STRING_LENGTH));
      case 't':
        literal("true");
        return NODES.booleanNode(true);
      case 'f':
        literal("false");
        return NODES.booleanNode(false);
      case 'n':
        literal("null");
        return NODES.nullNode();
      default:
        if (c == '-' || c >= '0' && c <= '9') {
          return number();
        }
        throw new NotPlain();
    }
  }

  private ObjectNode object(JsonShape shape) throws NotPlain {
    enter();
    at++;
    ObjectNode o = NODES.objectNode();
    skipSpace();
    if (peek() == '}') {
      at++;
      depth--;
      return o;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw new NotPlain();
      }
      String name = string(MAX_NAME_LENGTH);
      skipSpace();
      expect(':');
      skipSpace();
      JsonShape member = shape.member(name);
      if (member != null) {
        o.set(name, value(member));
      } else {
        skipValue();
      }
      skipSpace();
      byte c = next();
      if (c == '}') {
        depth--;
        return o;
      }
      if (c != ',') {
        throw new NotPlain();
      }
    }
  }

  private ArrayNode array(JsonShape shape) throws NotPlain {
    enter();
    at++;
    ArrayNode a = NODES.arrayNode();
    skipSpace();
    if (peek() == ']') {
      at++;
      depth--;
      return a;
    }
    while (true) {
      skipSpace();
      a.add(value(shape));
      skipSpace();
      byte c = next();
      if (c == ']') {
        depth--;
        return a;
      }
      if (c != ',') {
        throw new NotPlain();
      }
    }
  }

  private void enter() throws NotPlain {
    if (++depth > MAX_DEPTH) {
      throw new NotPlain();
    }
  }

  /** A string at {@code at} (its opening quote), unescaped. */
  private String string(int maxLength) throws NotPlain {
    int start = at + 1;
    boolean plain = scanString() == 0; // ASCII without escapes: the bytes are the characters
    int end = at - 1;
    String s;
    if (plain) {
      s = new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    } else {
      s = unescape(start, end);
    }
    if (s.length() > maxLength) {
      throw new NotPlain();
    }
    return s;
  }

  private String unescape(int start, int end) throws NotPlain {
    StringBuilder b = new StringBuilder(end - start);
    int run = start; // the start of the raw bytes not yet decoded
    for (int i = start; i < end; i++) {
      if (in[i] != '\\') {
        continue;
      }
      b.append(utf8(run, i));
      char e = (char) in[++i];
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 >= end) {
            throw new NotPlain();
          }
          int v = 0;
          for (int k = 1; k <= 4; k++) {
            int d = Character.digit((char) in[i + k], 16);
            if (d < 0) {
              throw new NotPlain();
            }
            v = v << 4 | d;
          }
          b.append((char) v);
          i += 4;
        }
        default -> throw new NotPlain();
      }
      run = i + 1;
    }
    return b.append(utf8(run, end)).toString();
  }

  /** Bytes {@code [from, to)} as UTF-8; malformed UTF-8 is Jackson's to report. */
  private String utf8(int from, int to) throws NotPlain {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in, from, to - from)).toString();
    } catch (CharacterCodingException e) {
      throw new NotPlain();
    }
  }

  /** A number as Jackson types it: int, long or big integer when integral, else double. */
  private JsonNode number() throws NotPlain {
    int start = at;
    boolean integral = scanNumber();
    String text = new String(in, start, at - start, StandardCharsets.ISO_8859_1);
    if (!integral) {
      return NODES.numberNode(Double.parseDouble(text));
    }
    int intStart = in[start] == '-' ? start + 1 : start;
    int length = at - intStart;
    if (length <= 18) {
      long v = Long.parseLong(text);
      return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
    }
    BigInteger v = new BigInteger(text);
    return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
  }

  /** Moves past a number within Jackson's grammar and length limit; whether it is integral. */
  private boolean scanNumber() throws NotPlain {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    int intStart = at;
    digits();
    if (in[intStart] == '0' && at - intStart > 1) {
      throw new NotPlain(); // a leading zero
    }
    boolean integral = true;
    if (at < in.length && in[at] == '.') {
      at++;
      digits();
      integral = false;
    }
    if (at < in.length && (in[at] == 'e' || in[at] == 'E')) {
      at++;
      if (at < in.length && (in[at] == '+' || in[at] == '-')) {
        at++;
      }
      digits();
      integral = false;
    }
    if (at - start > MAX_NUMBER_LENGTH) {
      throw new NotPlain();
    }
    return integral;
  }

  private static final int ESCAPES = 1;
  private static final int NON_ASCII = 2;

  /**
   * Moves past the string at {@code at} (its opening quote) and tells whether it has {@link #ESCAPES} or
   * {@link #NON_ASCII} bytes (0: neither). One loop over the bytes, no call per byte: it runs interpreted over most of
   * an answer.
   */
  private int scanString() throws NotPlain {
    byte[] b = in;
    int i = at + 1;
    int kind = 0;
    while (true) {
      if (i >= b.length) {
        throw new NotPlain();
      }
      byte c = b[i++];
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        kind |= ESCAPES;
        if (i >= b.length) {
          throw new NotPlain();
        }
        i++;
      } else if (c < 0x20) {
        if (c >= 0) {
          throw new NotPlain(); // Jackson refuses unescaped control characters
        }
        kind |= NON_ASCII;
      }
    }
    at = i;
    return kind;
  }

  /** Moves past a value that is not kept, checking it as {@link #value} would read it, without making nodes. */
  private void skipValue() throws NotPlain {
    byte c = peek();
    switch (c) {
      case '{':
        enter();
        at++;
        skipSpace();
        if (peek() == '}') {
          at++;
          depth--;
          return;
        }
        while (true) {
          skipSpace();
          if (peek() != '"') {
            throw new NotPlain();
          }
          skipString(MAX_NAME_LENGTH);
          skipSpace();
          expect(':');
          skipSpace();
          skipValue();
          skipSpace();
          byte e = next();
          if (e == '}') {
            depth--;
            return;
          }
          if (e != ',') {
            throw new NotPlain();
          }
        }
      case '[':
        enter();
        at++;
        skipSpace();
        if (peek() == ']') {
          at++;
          depth--;
          return;
        }
        while (true) {
          skipSpace();
          skipValue();
          skipSpace();
          byte e = next();
          if (e == ']') {
            depth--;
            return;
          }
          if (e != ',') {
            throw new NotPlain();
          }
        }
      case '"':
        skipString(MAX_STRING_LENGTH);
        return;
      case 't':
        literal("true");
        return;
      case 'f':
        literal("false");
        return;
      case 'n':
        literal("null");
        return;
      default:
        if (c == '-' || c >= '0' && c <= '9') {
          scanNumber();
          return;
        }
        throw new NotPlain();
    }
  }

  /**
   * Moves past a string as {@link #string} reads it, making no string when it is ASCII (escapes checked in place); one
   * with other bytes is decoded, which checks its UTF-8.
   */
  private void skipString(int maxLength) throws NotPlain {
    int start = at + 1;
    int kind = scanString();
    boolean escapes = (kind & ESCAPES) != 0;
    boolean ascii = (kind & NON_ASCII) == 0;
    int end = at - 1;
    if (!ascii || end - start > maxLength && escapes) {
      if (unescape(start, end).length() > maxLength) {
        throw new NotPlain();
      }
      return;
    }
    if (end - start > maxLength) {
      throw new NotPlain();
    }
    for (int i = start; escapes && i < end; i++) {
      if (in[i] == '\\') {
        i++;
        switch (in[i]) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
          case 'u' -> {
            if (i + 4 >= end) {
              throw new NotPlain();
            }
            for (int k = 1; k <= 4; k++) {
              if (Character.digit((char) in[i + k], 16) < 0) {
                throw new NotPlain();
              }
            }
            i += 4;
          }
          default -> throw new NotPlain();
        }
      }
    }
  }

  /** One or more digits. */
  private void digits() throws NotPlain {
    int start = at;
    while (at < in.length && in[at] >= '0' && in[at] <= '9') {
      at++;
    }
    if (at == start) {
      throw new NotPlain();
    }
  }

  private void literal(String word) throws NotPlain {
    for (int i = 0; i < word.length(); i++) {
      if (next() != word.charAt(i)) {
        throw new NotPlain();
      }
    }
  }

  private void skipSpace() {
    while (at < in.length && (in[at] == ' ' || in[at] == '\n' || in[at] == '\r' || in[at] == '\t')) {
      at++;
    }
  }

  private byte peek() throws NotPlain {
    if (at >= in.length) {
      throw new NotPlain();
    }
    return in[at];
  }

  private byte next() throws NotPlain {
    if (at >= in.length) {
      throw new NotPlain();
    }
    return in[at++];
  }

  private void expect(char c) throws NotPlain {
    if (next() != c) {
      throw new NotPlain();
    }
  }
}
