package io.jswarm.linux.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The attributes of one received message (or of one nested attribute), by type; the last one of a type wins. */
final class NlAttrs {
  private final Map<Integer, byte[]> byType = new HashMap<>();

  static NlAttrs parse(ByteBuffer b, int from, int to) {
    NlAttrs a = new NlAttrs();
    int p = from;
    while (p + 4 <= to) {
      int len = Short.toUnsignedInt(b.getShort(p));
      int type = Short.toUnsignedInt(b.getShort(p + 2)) & 0x3fff; // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
      if (len < 4 || p + len > to) {
        break;
      }
      byte[] v = new byte[len - 4];
      b.get(p + 4, v);
      a.byType.put(type, v);
      p += NlMessage.align(len);
    }
    return a;
  }

  static NlAttrs parse(byte[] v) {
    return parse(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()), 0, v.length);
  }

  boolean has(int type) {
    return byType.containsKey(type);
  }

  byte[] bytes(int type) {
    return byType.get(type);
  }

  NlAttrs nested(int type) {
    byte[] v = byType.get(type);
    return v == null ? new NlAttrs() : parse(v);
  }

  String string(int type) {
    byte[] v = byType.get(type);
    if (v == null) {
      return null;
    }
    int n = 0;
    while (n < v.length && v[n] != 0) {
      n++;
    }
    return new String(v, 0, n, StandardCharsets.UTF_8);
  }

  int u32(int type, int dflt) {
    byte[] v = byType.get(type);
    if (v == null || v.length < 4) {
      return dflt;
    }
    return ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt();
  }

  int u8(int type, int dflt) {
    byte[] v = byType.get(type);
    return v == null || v.length < 1 ? dflt : Byte.toUnsignedInt(v[0]);
  }

  int be16(int type, int dflt) {
    byte[] v = byType.get(type);
    return v == null || v.length < 2 ? dflt : (Byte.toUnsignedInt(v[0]) << 8) | Byte.toUnsignedInt(v[1]);
  }

  InetAddress inet(int type) {
    byte[] v = byType.get(type);
    if (v == null || (v.length != 4 && v.length != 16)) {
      return null;
    }
    try {
      return InetAddress.getByAddress(v);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
