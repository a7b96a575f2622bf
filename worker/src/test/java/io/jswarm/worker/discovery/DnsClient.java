package io.jswarm.worker.discovery;

import io.jswarm.linux.NetNs;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A test DNS client that runs inside a network namespace; parses answers independently of the server's code. */
final class DnsClient {
  /** A parsed response: rcode, TC flag, A-record addresses and their TTLs. */
  record Response(int id, int rcode, boolean truncated, List<String> addresses, List<Integer> ttls, int size) {}

  private DnsClient() {}

  static byte[] query(int id, String name, int type) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >> 8);
    b.write(id);
    b.write(0x01); // RD
    b.write(0);
    b.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      b.write(l.length);
      b.writeBytes(l);
    }
    b.write(0);
    b.writeBytes(new byte[] {0, (byte) type, 0, 1});
    return b.toByteArray();
  }

  /** Sends one UDP query to {@code server} from inside {@code netns}; null when nothing came back in time. */
  static Response udp(Path netns, InetSocketAddress server, byte[] query, int timeoutMs) {
    return NetNs.call(netns, () -> {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(0))) {
        s.setSoTimeout(timeoutMs);
        s.send(new DatagramPacket(query, query.length, server));
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          s.receive(p);
        } catch (SocketTimeoutException e) {
          return null;
        }
        return parse(Arrays.copyOf(buf, p.getLength()));
      }
    });
  }

  static Response udp(Path netns, InetSocketAddress server, String name) {
    return udp(netns, server, query(ThreadLocalRandom.current().nextInt(0x10000), name, 1), 5000);
  }

  static Response tcp(Path netns, InetSocketAddress server, String name) {
    byte[] q = query(ThreadLocalRandom.current().nextInt(0x10000), name, 1);
    return NetNs.call(netns, () -> {
      try (Socket s = new Socket()) {
        s.connect(server, 2000);
        s.setSoTimeout(5000);
        DataOutputStream o = new DataOutputStream(s.getOutputStream());
        o.writeShort(q.length);
        o.write(q);
        o.flush();
        DataInputStream i = new DataInputStream(s.getInputStream());
        return parse(i.readNBytes(i.readUnsignedShort()));
      }
    });
  }

  static Response parse(byte[] b) throws Exception {
    int id = u16(b, 0);
    int flags = u16(b, 2);
    int qd = u16(b, 4);
    int an = u16(b, 6);
    int p = 12;
    for (int i = 0; i < qd; i++) {
      p = skipName(b, p) + 4;
    }
    List<String> addrs = new ArrayList<>();
    List<Integer> ttls = new ArrayList<>();
    for (int i = 0; i < an; i++) {
      p = skipName(b, p);
      int type = u16(b, p);
      int ttl = (u16(b, p + 4) << 16) | u16(b, p + 6);
      int rdlen = u16(b, p + 8);
      p += 10;
      if (type == 1 && rdlen == 4) {
        addrs.add(InetAddress.getByAddress(Arrays.copyOfRange(b, p, p + 4)).getHostAddress());
        ttls.add(ttl);
      }
      p += rdlen;
    }
    if (p != b.length) {
      throw new AssertionError("response has " + (b.length - p) + " trailing bytes");
    }
    return new Response(id, flags & 0xf, (flags & 0x0200) != 0, addrs, ttls, b.length);
  }

  private static int skipName(byte[] b, int p) {
    while (true) {
      int l = b[p] & 0xff;
      if (l == 0) {
        return p + 1;
      }
      if ((l & 0xc0) == 0xc0) {
        return p + 2;
      }
      p += l + 1;
    }
  }

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }
}
