package io.jswarm.worker.discovery;

import io.jswarm.linux.NetNs;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A resolver standing in for the host's (never the internet): UDP and TCP on one address inside a test
 * namespace, answering every query with one A record {@link #ADDRESS}, TTL 300, and recording the names asked.
 */
final class FakeUpstream implements AutoCloseable {
  static final String ADDRESS = "192.0.2.77";
  final InetSocketAddress address;
  final List<String> asked = new CopyOnWriteArrayList<>();
  private final DatagramSocket udp;
  private final ServerSocket tcp;

  FakeUpstream(Path netns, InetSocketAddress address) {
    this.address = address;
    this.udp = NetNs.call(netns, () -> new DatagramSocket(address));
    this.tcp = NetNs.call(netns, () -> new ServerSocket(address.getPort(), 8, address.getAddress()));
    Thread u = new Thread(this::serveUdp, "fake-upstream-udp");
    u.setDaemon(true);
    u.start();
    Thread t = new Thread(this::serveTcp, "fake-upstream-tcp");
    t.setDaemon(true);
    t.start();
  }

  private void serveUdp() {
    byte[] buf = new byte[4096];
    while (!udp.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        byte[] a = answer(Arrays.copyOf(buf, p.getLength()));
        udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try (Socket s = tcp.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] q = in.readNBytes(in.readUnsignedShort());
        byte[] a = answer(q);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeShort(a.length);
        out.write(a);
        out.flush();
      } catch (IOException e) {
        if (tcp.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] answer(byte[] q) {
    StringBuilder name = new StringBuilder();
    int p = 12;
    while (q[p] != 0) {
      int l = q[p];
      name.append(name.length() == 0 ? "" : ".").append(new String(q, p + 1, l));
      p += l + 1;
    }
    asked.add(name.toString());
    int qEnd = p + 5;
    ByteBuffer b = ByteBuffer.allocate(qEnd + 16);
    b.put(q, 0, qEnd);
    b.put(2, (byte) 0x81).put(3, (byte) 0x80).putShort(6, (short) 1);
    b.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(300).putShort((short) 4);
    b.put(new byte[] {(byte) 192, 0, 2, 77});
    return b.array();
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
  }
}
