package io.jswarm.cli.daemon;

import io.jswarm.transport.net.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.transport.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP API like dockerd: plain TCP only on loopback unless {@code --insecure-tcp}; {@code --tlsverify} with
 * PEM files made the way Docker's guide makes them (openssl), driven by the real docker client, which works with
 * its client certificate and is refused without one.
 */
class TcpApiSecurityTest {
  private static final String DOCKER = "/usr/local/bin/docker";

  @TempDir
  Path dir;

  @Test
  void plainTcpOffLoopbackIsRefusedUnlessInsecureTcpIsGiven() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> ApiListeners.parse(List.of("tcp://0.0.0.0:2375"), ApiListeners.Security.NONE));
    assertTrue(e.getMessage().contains("--tlsverify") && e.getMessage().contains("--insecure-tcp"), e.getMessage());
    ApiListeners.Security tlsOnly = new ApiListeners.Security(true, false, null, null, null, false);
    assertThrows(InvalidArgumentException.class, () -> ApiListeners.parse(List.of("tcp://0.0.0.0:2375"), tlsOnly),
        "TLS without client certificates is no protection either");

    ApiListeners.Security insecure = new ApiListeners.Security(false, false, null, null, null, true);
    assertInstanceOf(HttpServer.Tcp.class, ApiListeners.parse(List.of("tcp://0.0.0.0:2375"), insecure).get(0));
    assertInstanceOf(HttpServer.Tcp.class,
        ApiListeners.parse(List.of("tcp://127.0.0.1:2375"), ApiListeners.Security.NONE).get(0));
    assertInstanceOf(HttpServer.Tcp.class,
        ApiListeners.parse(List.of("tcp://localhost:2375"), ApiListeners.Security.NONE).get(0));
  }

  @Test
  void tlsVerifyServesTheDockerClientWithItsCertificateAndRefusesItWithout() throws Exception {
    Path pki = Files.createDirectories(dir.resolve("pki"));
    makeCertificates(pki);
    int api = FreePorts.pick();
    int cluster = FreePorts.pick();
    DaemonOptions opts = new DaemonOptions(dir.resolve("data"), dir.resolve("run"), List.of("tcp://127.0.0.1:" + api),
        "jswarm-tlstest", "tlsnode", cluster, FreePorts.pick(), "simulated", "runc", 10_000, Map.of(), List.of(),
        "jswarm_tlstest", "172.31.251.0/24", new ApiListeners.Security(false, true, pki.resolve("ca.pem"),
            pki.resolve("server-cert.pem"), pki.resolve("server-key.pem"), false));
    try (Daemon d = new Daemon(opts, "tlstest")) {
      d.start();
      String host = "tcp://127.0.0.1:" + api;
      List<String> tls = List.of("--tlsverify", "--tlscacert", pki.resolve("ca.pem").toString(), "--tlscert",
          pki.resolve("cert.pem").toString(), "--tlskey", pki.resolve("key.pem").toString(), "-H", host);

      Run version = docker(tls, "version", "--format", "{{.Server.APIVersion}}");
      assertEquals("1.41\n", version.out, version.err);
      Run init = docker(tls, "swarm", "init", "--advertise-addr", "127.0.0.1:" + cluster, "--listen-addr",
          "127.0.0.1:" + cluster);
      assertEquals(0, init.code, init.err);
      Run create = docker(tls, "service", "create", "--detach", "--no-resolve-image", "--name", "web", "--replicas",
          "2", "busybox");
      assertEquals(0, create.code, create.err);
      Run ls = docker(tls, "service", "ls", "--format", "{{.Name}} {{.Replicas}}");
      assertTrue(ls.out.startsWith("web "), ls.out + ls.err);
      Run scale = docker(tls, "service", "scale", "--detach", "web=99999999999");
      assertNotEquals(0, scale.code);
      assertTrue(scale.err.contains("Mode.Replicated.Replicas: 99999999999 is above this cluster's maximum of 100000"),
          scale.err);

      Run noCert = docker(List.of("--tls", "--tlscacert", pki.resolve("ca.pem").toString(), "-H", host), "version",
          "--format", "{{.Server.APIVersion}}");
      assertNotEquals(0, noCert.code, "without a client certificate: " + noCert.out);
      Run plain = docker(List.of("-H", host), "version", "--format", "{{.Server.APIVersion}}");
      assertNotEquals(0, plain.code, "plain HTTP to the TLS port: " + plain.out);
    }
  }

  private record Run(int code, String out, String err) {}

  private Run docker(List<String> global, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(DOCKER));
    cmd.addAll(global);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("DOCKER_HOST");
    pb.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker " + cmd + " did not end");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, as in Docker's "protect the socket" guide. */
  private static void makeCertificates(Path d) throws Exception {
    Files.writeString(d.resolve("server.cnf"), "subjectAltName = IP:127.0.0.1,DNS:localhost\n"
        + "extendedKeyUsage = serverAuth\n");
    Files.writeString(d.resolve("client.cnf"), "extendedKeyUsage = clientAuth\n");
    for (String c : new String[] {
        "openssl genrsa -out ca-key.pem 2048",
        "openssl req -new -x509 -days 1 -key ca-key.pem -sha256 -subj /CN=jswarm-test-ca -out ca.pem",
        "openssl genrsa -out server-key.pem 2048",
        "openssl req -subj /CN=localhost -sha256 -new -key server-key.pem -out server.csr",
        "openssl x509 -req -days 1 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
            + "-out server-cert.pem -extfile server.cnf",
        "openssl genrsa -out key.pem 2048",
        "openssl req -subj /CN=client -new -key key.pem -out client.csr",
        "openssl x509 -req -days 1 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
            + "-out cert.pem -extfile client.cnf"}) {
      Process p = new ProcessBuilder(c.split(" ")).directory(d.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, c + ": " + out);
    }
  }

}
