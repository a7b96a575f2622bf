package io.jswarm.transport.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void aPickedPortIsBelowTheEphemeralRangeAndCanBeListenedOn() throws Exception {
    String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
    int ephemeralFirst = Integer.parseInt(range[0]);
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.pick();
      assertTrue(port >= FreePorts.FIRST && port <= FreePorts.LAST, port + " in the drawn range");
      assertTrue(port < ephemeralFirst || ephemeralFirst > FreePorts.LAST,
          port + " is not one the kernel hands out to outgoing connections (from " + ephemeralFirst + ")");
      assertTrue(port < 30000, port + " is below Docker's dynamic published ports");
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
      }
    }
  }
}
