package io.jswarm.transport.pki;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.api.cluster.RaftJoinRequest;
import io.jswarm.api.cluster.RenewRequest;
import io.jswarm.api.cluster.RenewResponse;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The joining node's side of the cluster port's certificate routes (HTTPS, HTTP/1.1).
 *
 * <p>{@link #join}: fetch the root CA with {@code GET /ca} trusting anything, refuse unless its digest is the one in
 * the join token, then make a key and send {@code POST /join} (token + CSR) trusting only that root. {@link #renew}
 * and {@link #joinRaft} use mutual TLS with the node's current certificate.
 *
 * <p>Errors: a manager's {@code {"message"}} answers become the api exception of its status (400
 * {@link InvalidArgumentException}, 404, 409, 503 {@link UnavailableException}); anything else, and network or
 * TLS failures, an {@link IOException} naming the manager.
 */
public final class JoinClient {
  /** What {@link #join} returns: the node's completed credentials and the manager's answer. */
  public record Joined(NodeCredentials credentials, JoinResponse response) {}

  private final Duration timeout;

  public JoinClient(Duration timeout) {
    this.timeout = timeout;
  }

  public JoinClient() {
    this(Duration.ofSeconds(20));
  }

  /**
   * Joins the cluster of the manager at {@code managerAddr} ({@code host:port} of its cluster port).
   *
   * @param fields hostname, advertise/Raft addresses and description to send; its token and CSR are set here
   * @throws InvalidArgumentException a malformed token (before any traffic), a CA whose digest does not match the
   *     token (before anything secret is sent), or the manager refused the token
   */
  public Joined join(String managerAddr, String token, JoinRequest fields) throws IOException, InterruptedException {
    JoinToken parsed = JoinToken.parse(token);
    List<X509Certificate> served = fetchCaBundle(managerAddr);
    X509Certificate ca = served.stream().filter(c -> RootCA.digest(c).equals(parsed.caDigest())).findFirst()
        .orElse(null);
    if (ca == null) {
      throw new InvalidArgumentException("the manager at " + managerAddr + " presented a CA certificate whose digest"
          + " does not match the join token (token " + parsed.caDigest() + ", manager " + RootCA.digest(served.get(0))
          + "): it is not the cluster the token belongs to, its root was rotated since the token was issued, or the"
          + " connection is being intercepted; nothing was sent");
    }
    NodeCredentials pending = NodeCredentials.generateKey();
    JoinRequest req = fields == null ? new JoinRequest() : Json.copy(fields);
    req.token = token.strip();
    req.csr = pending.csrPem();
    // only the root the token names is trusted for this call; the bundle in the answer comes over that channel
    JoinResponse resp = call(TlsContexts.anonymousClient(ca), managerAddr, "/join", req, JoinResponse.class);
    String roots = Pem.encode(ca);
    if (resp.caCertificate != null) {
      List<X509Certificate> answered = Pem.certificates(resp.caCertificate, "CACertificate");
      if (answered.stream().noneMatch(ca::equals)) {
        throw new IOException("the manager at " + managerAddr + " answered /join with a different root CA than /ca");
      }
      roots = resp.caCertificate;
    }
    return new Joined(pending.withCertificate(resp.certificate, roots), resp);
  }

  /** A new certificate for a new key, same node; over mutual TLS with {@code current}. */
  public NodeCredentials renew(String managerAddr, NodeCredentials current) throws IOException, InterruptedException {
    NodeCredentials pending = NodeCredentials.generateKey();
    RenewRequest req = new RenewRequest();
    req.csr = pending.csrPem();
    RenewResponse resp = call(TlsContexts.managerClient(current), managerAddr, "/renew", req, RenewResponse.class);
    return pending.withCertificate(resp.certificate,
        resp.caCertificate != null ? resp.caCertificate : current.trustedRootsPem());
  }

  /**
   * The roots the manager at {@code managerAddr} says to trust now ({@code GET /ca} over mutual TLS with
   * {@code current}, so the answer is a manager's of this cluster): one root, or two during a root rotation.
   */
  public List<X509Certificate> trustBundle(String managerAddr, NodeCredentials current)
      throws IOException, InterruptedException {
    HttpResponse<String> r = send(TlsContexts.managerClient(current), managerAddr,
        HttpRequest.newBuilder(uri(managerAddr, "/ca")).GET());
    check(managerAddr, "/ca", r);
    return Pem.certificates(r.body(), "root CA certificate");
  }

  /**
   * Asks to be added to the Raft group (a manager whose Raft member already runs with {@code creds}); see
   * {@code POST /raft/join}.
   */
  public void joinRaft(String managerAddr, NodeCredentials creds, String raftAddr) throws IOException, InterruptedException {
    RaftJoinRequest req = new RaftJoinRequest();
    req.raftAddr = raftAddr;
    call(TlsContexts.managerClient(creds), managerAddr, "/raft/join", req, JsonNode.class);
  }

  /**
   * The cluster's data encryption key (the Raft log's key), for a manager about to start its Raft member; over
   * mutual TLS with its manager certificate, see {@code POST /raft/key}. Never log it.
   */
  public byte[] fetchDataKey(String managerAddr, NodeCredentials creds) throws IOException, InterruptedException {
    JsonNode r = call(TlsContexts.managerClient(creds), managerAddr, "/raft/key", java.util.Map.of(), JsonNode.class);
    try {
      return java.util.Base64.getDecoder().decode(r.path("DataKey").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IOException("the manager at " + managerAddr + " answered /raft/key with no usable key");
    }
  }

  /** The root CA certificate the manager at {@code managerAddr} serves, not verified in any way. */
  public X509Certificate fetchCa(String managerAddr) throws IOException, InterruptedException {
    return fetchCaBundle(managerAddr).get(0);
  }

  /** Every root the manager at {@code managerAddr} serves (two during a root rotation), not verified in any way. */
  public List<X509Certificate> fetchCaBundle(String managerAddr) throws IOException, InterruptedException {
    HttpResponse<String> r = send(TlsContexts.bootstrapClient(), managerAddr,
        HttpRequest.newBuilder(uri(managerAddr, "/ca")).GET());
    check(managerAddr, "/ca", r);
    try {
      return Pem.certificates(r.body(), "root CA certificate");
    } catch (InvalidArgumentException e) {
      throw new IOException("the manager at " + managerAddr + " answered GET /ca with no usable certificate: "
          + e.getMessage(), e);
    }
  }

  private <T> T call(SSLContext ssl, String addr, String path, Object body, Class<T> type)
      throws IOException, InterruptedException {
    HttpResponse<String> r = send(ssl, addr, HttpRequest.newBuilder(uri(addr, path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.toBytes(body))));
    check(addr, path, r);
    try {
      return Json.fromString(r.body(), type);
    } catch (RuntimeException e) {
      throw new IOException("the manager at " + addr + " answered " + path + " with malformed JSON: " + e.getMessage(), e);
    }
  }

  private HttpResponse<String> send(SSLContext ssl, String addr, HttpRequest.Builder req)
      throws IOException, InterruptedException {
    SSLParameters params = new SSLParameters();
    params.setProtocols(TlsContexts.PROTOCOLS);
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(ssl)
        .sslParameters(params)
        .connectTimeout(timeout)
        .build();
    try {
      return client.send(req.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IOException("cannot reach the manager at " + addr + ": " + e, e);
    }
  }

  private static void check(String addr, String path, HttpResponse<String> r) throws IOException {
    int s = r.statusCode();
    if (s / 100 == 2) {
      return;
    }
    String message = r.body();
    try {
      JsonNode n = Json.mapper().readTree(r.body());
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: keep the body as it is
    }
    String m = "the manager at " + addr + " refused " + path + ": " + message;
    switch (s) {
      case 400 -> throw new InvalidArgumentException(m);
      case 404 -> throw new NotFoundException(m);
      case 409 -> throw new ConflictException(m);
      case 503 -> throw new UnavailableException(m);
      default -> throw new IOException(m + " (HTTP " + s + ")");
    }
  }

  private static URI uri(String addr, String path) {
    if (addr == null || addr.isBlank() || addr.contains("/")) {
      throw new InvalidArgumentException("manager address: expected host:port, got " + addr);
    }
    return URI.create("https://" + addr + path);
  }
}
