package io.jswarm.worker.discovery;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The little of the DNS wire format (RFC 1035) the embedded server needs: read the header and the one question
 * of a standard query, write an answer of A records (names compressed to the question), an empty answer, or an
 * error code. Anything it cannot read is {@code null}: the server drops it, as a query it does not understand
 * cannot be answered safely.
 */
final class DnsMessage {
  static final int TYPE_A = 1;
  static final int TYPE_PTR = 12;
  static final int CLASS_IN = 1;
  static final int NOERROR = 0;
  static final int SERVFAIL = 2;
  static final int NXDOMAIN = 3;
  /** Largest UDP answer without EDNS (RFC 1035 4.2.1); longer answers are truncated with TC set. */
  static final int UDP_MAX = 512;
  static final int HEADER = 12;

  private static final int QR = 0x8000;
  private static final int OPCODE_MASK = 0x7800;
  private static final int TC = 0x0200;
  private static final int RD = 0x0100;
  private static final int RA = 0x0080;

  /**
   * A standard query with exactly one question.
   *
   * @param id the query id
   * @param flags the header flags word
   * @param name the question's name, lower case, without the trailing dot ("" for the root)
   * @param questionEnd offset just past the question (type and class included)
   */
  record Query(int id, int flags, String name, int type, int qclass, int questionEnd) {}

  private DnsMessage() {}

  /** Reads a standard query (QR 0, opcode QUERY, one question without compression), or null. */
  static Query parseQuery(byte[] buf, int len) {
    if (len < HEADER + 5 || len > buf.length) {
      return null;
    }
    int id = u16(buf, 0);
    int flags = u16(buf, 2);
    if ((flags & QR) != 0 || (flags & OPCODE_MASK) != 0 || u16(buf, 4) != 1 || u16(buf, 6) != 0) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    int p = HEADER;
    int nameLen = 0;
    while (true) {
      if (p >= len) {
        return null;
      }
      int l = buf[p] & 0xff;
      p++;
      if (l == 0) {
        break;
      }
      if (l > 63 || p + l > len) {
        return null; // a compression pointer or a label running past the packet
      }
      nameLen += l + 1;
      if (nameLen > 255) {
        return null;
      }
      if (name.length() > 0) {
        name.append('.');
      }
      for (int i = 0; i < l; i++) {
        int c = buf[p + i] & 0xff;
        if (c <= 0x20 || c >= 0x7f || c == '.') {
          return null; // only printable names can match a service; forwarding odd bytes is not worth it
        }
        name.append((char) Character.toLowerCase(c));
      }
      p += l;
    }
    if (p + 4 > len) {
      return null;
    }
    return new Query(id, flags, name.toString(), u16(buf, p), u16(buf, p + 2), p + 4);
  }

  /**
   * An answer to {@code q} (whose bytes are {@code query}) with {@code rcode} and one A record per address,
   * each with {@code ttl}. At most {@code maxSize} bytes: records that do not fit are left out and TC is set.
   */
  static byte[] answer(byte[] query, Query q, int rcode, List<Inet4Address> addresses, int ttl, int maxSize) {
    int questionLen = q.questionEnd() - HEADER;
    int fit = Math.max(0, (maxSize - HEADER - questionLen) / 16);
    int n = Math.min(fit, addresses.size());
    boolean truncated = n < addresses.size();
    ByteBuffer b = ByteBuffer.allocate(HEADER + questionLen + n * 16);
    b.putShort((short) q.id());
    int flags = QR | (q.flags() & RD) | RA | (rcode & 0xf) | (truncated ? TC : 0);
    b.putShort((short) flags);
    b.putShort((short) 1).putShort((short) n).putShort((short) 0).putShort((short) 0);
    b.put(query, HEADER, questionLen);
    for (int i = 0; i < n; i++) {
      b.putShort((short) 0xC00C); // pointer to the question's name
      b.putShort((short) TYPE_A).putShort((short) CLASS_IN).putInt(ttl).putShort((short) 4);
      b.put(addresses.get(i).getAddress());
    }
    return b.array();
  }

  /** A NOERROR answer to {@code q} with one PTR record pointing to {@code target} (dotted, no trailing dot). */
  static byte[] answerPtr(byte[] query, Query q, String target, int ttl) {
    java.io.ByteArrayOutputStream name = new java.io.ByteArrayOutputStream();
    for (String label : target.split("\\.")) {
      byte[] l = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      if (l.length == 0 || l.length > 63) {
        return error(query, q, SERVFAIL);
      }
      name.write(l.length);
      name.writeBytes(l);
    }
    name.write(0);
    int questionLen = q.questionEnd() - HEADER;
    byte[] rdata = name.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(HEADER + questionLen + 12 + rdata.length);
    b.putShort((short) q.id());
    b.putShort((short) (QR | (q.flags() & RD) | RA));
    b.putShort((short) 1).putShort((short) 1).putShort((short) 0).putShort((short) 0);
    b.put(query, HEADER, questionLen);
    b.putShort((short) 0xC00C).putShort((short) TYPE_PTR).putShort((short) CLASS_IN).putInt(ttl);
    b.putShort((short) rdata.length).put(rdata);
    return b.array();
  }

  /** An answer with no records and {@code rcode}. */
  static byte[] error(byte[] query, Query q, int rcode) {
    return answer(query, q, rcode, List.of(), 0, Integer.MAX_VALUE);
  }

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  static void putU16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  /** Rcode of a response (for tests). */
  static int rcode(byte[] b) {
    return u16(b, 2) & 0xf;
  }
}
