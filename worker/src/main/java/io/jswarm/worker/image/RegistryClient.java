package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of one registry's v2 API (the distribution spec): manifests and blobs, pull and push, with the
 * registry's auth: a {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...} challenge is answered by
 * fetching a token from the realm (with the credentials as basic auth when there are any); a {@code Basic}
 * challenge by sending the credentials. Tokens are cached per scope. Redirects of blob downloads are followed
 * without the credentials.
 */
final class RegistryClient {
  static final int CONNECT_TIMEOUT_SECONDS = 10;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS);
  static final Duration METADATA_TIMEOUT = Duration.ofSeconds(60);
  /** Time to a blob's response headers. */
  static final Duration BLOB_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  /** Longest wait for the next byte of a blob before the download is given up (see {@link StallGuard}). */
  static final Duration BLOB_READ_TIMEOUT = Duration.ofSeconds(60);
  static final int DEFAULT_CHUNK = 16 << 20;
  /** Manifests and indexes above this size are refused (the distribution spec's registries cap them at 4 MiB). */
  static final int MAX_MANIFEST = 4 << 20;
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** A manifest as fetched: the exact bytes, the media type it came with, and their digest. */
  record Fetched(byte[] bytes, String mediaType, Digest digest) {}

  private final URI base;
  private final HttpClient http;
  private final RegistryAuth auth;
  private final String display;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private volatile Map<String, String> challenge;
  private volatile String scheme;
  private int chunkSize = DEFAULT_CHUNK;
  private Duration blobReadTimeout = BLOB_READ_TIMEOUT;
  /** Where this client may connect: the registry, its redirects and its token server (default: anywhere). */
  private RegistryAllowList allow = RegistryAllowList.ALL;

  /**
   * @param base {@code https://host:port} or {@code http://host:port}
   * @param display how errors name this registry
   */
  RegistryClient(URI base, HttpClient http, RegistryAuth auth, String display) {
    this.base = base;
    this.http = http;
    this.auth = auth == null ? RegistryAuth.NONE : auth;
    this.display = display;
  }

  static HttpClient httpClient(javax.net.ssl.SSLContext ssl) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    return b.build();
  }

  /** A shorter read timeout for blob downloads (tests). */
  RegistryClient blobReadTimeout(Duration d) {
    this.blobReadTimeout = d;
    return this;
  }

  RegistryClient chunkSize(int bytes) {
    this.chunkSize = bytes;
    return this;
  }

  String display() {
    return display;
  }

  // ---- login ----

  /**
   * {@code docker login}: checks the credentials against the registry's base endpoint ({@code GET /v2/}), answering
   * its challenge as {@code docker login} does (basic: the credentials on {@code /v2/}; bearer: a token from the
   * realm with them, without a scope).
   *
   * @throws RegistryException 401 when the registry refuses them
   */
  void login() throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v2/")).GET().timeout(METADATA_TIMEOUT);
    HttpResponse<byte[]> r = exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 200) {
      return; // the registry asks for no credentials
    }
    String header = r.headers().firstValue("WWW-Authenticate").orElse(null);
    if (r.statusCode() != 401 || header == null) {
      throw error(r.statusCode(), r.body(), "login");
    }
    if (!auth.hasBasic() && auth.identityToken() == null) {
      throw new RegistryException(401, display + ": login needs a username and password");
    }
    Map<String, String> c = parseChallenge(header);
    if ("basic".equals(scheme)) {
      r = exchange(b.copy().header("Authorization", basic()).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new RegistryException(401, display + ": unauthorized: incorrect username or password");
      }
      return;
    }
    c.remove("scope");
    fetchToken(c, null);
  }

  // ---- pull ----

  /**
   * The manifest {@code ref} (tag or digest) of {@code repo}; its digest is checked against {@code ref} when that
   * is a digest, and against the registry's {@code Docker-Content-Digest} when it sends one.
   */
  Fetched manifest(String repo, String ref) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(repo, "/manifests/" + ref).header("Accept", MediaTypes.ACCEPT).GET()
        .timeout(METADATA_TIMEOUT);
    HttpResponse<InputStream> r = send(b, scope(repo, false), HttpResponse.BodyHandlers.ofInputStream());
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(MAX_MANIFEST + 1);
    }
    if (r.statusCode() != 200) {
      throw error(r.statusCode(), body, "manifest " + repo + ":" + ref);
    }
    if (body.length > MAX_MANIFEST) {
      throw new IOException(display + ": manifest " + repo + ":" + ref + " is larger than " + MAX_MANIFEST
          + " bytes; refused");
    }
    Digest actual = Digest.of(body);
    if (Digest.isDigest(ref) && !actual.toString().equals(ref)) {
      throw new DigestMismatchException(display + ": manifest " + repo + "@" + ref + " has digest " + actual
          + "; refused");
    }
    String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (claimed != null && Digest.isDigest(claimed) && !claimed.equals(actual.toString())) {
      throw new DigestMismatchException(display + ": manifest " + repo + ":" + ref + " has digest " + actual
          + " but the registry says " + claimed + "; refused");
    }
    String type = r.headers().firstValue("Content-Type").orElse(null);
    return new Fetched(body, type, actual);
  }

  /**
   * Opens blob {@code digest} of {@code repo} for reading (the caller verifies it while storing). The connect
   * timeout is the client's ({@value #CONNECT_TIMEOUT_SECONDS} s), the response headers must come within
   * {@link #BLOB_RESPONSE_TIMEOUT}, and the body may pause at most {@link #BLOB_READ_TIMEOUT} between bytes.
   */
  InputStream blob(String repo, Digest digest) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(repo, "/blobs/" + digest).GET().timeout(BLOB_RESPONSE_TIMEOUT);
    HttpResponse<InputStream> r = send(b, scope(repo, false), HttpResponse.BodyHandlers.ofInputStream());
    for (int hops = 0; r.statusCode() / 100 == 3 && hops < 5; hops++) {
      String location = r.headers().firstValue("Location").orElseThrow(
          () -> new IOException(display + ": redirect without a Location for blob " + digest));
      r.body().close();
      URI next = r.request().uri().resolve(location);
      r = exchange(HttpRequest.newBuilder(next).GET().timeout(BLOB_RESPONSE_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofInputStream());
    }
    if (r.statusCode() != 200) {
      byte[] body;
      try (InputStream in = r.body()) {
        body = in.readNBytes(64 << 10);
      }
      throw error(r.statusCode(), body, "blob " + repo + "@" + digest);
    }
    return new StallGuard(r.body(), blobReadTimeout, display + ": blob " + repo + "@" + digest);
  }

  // ---- push ----

  boolean hasBlob(String repo, Digest digest) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(repo, "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .timeout(METADATA_TIMEOUT);
    HttpResponse<Void> r = send(b, scope(repo, true), HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 200) {
      return true;
    }
    if (r.statusCode() == 404) {
      return false;
    }
    throw error(r.statusCode(), new byte[0], "blob " + repo + "@" + digest);
  }

  /** Uploads a blob from {@code file}: in one PUT when it fits one chunk, else in PATCH chunks then a PUT. */
  void upload(String repo, Digest digest, Path file) throws IOException, InterruptedException {
    String scope = scope(repo, true);
    HttpRequest.Builder start = request(repo, "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())
        .timeout(METADATA_TIMEOUT);
    HttpResponse<byte[]> r = send(start, scope, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 202) {
      throw error(r.statusCode(), r.body(), "starting the upload of " + digest + " to " + repo);
    }
    URI location = location(r);
    long size = java.nio.file.Files.size(file);
    if (size > chunkSize) {
      try (InputStream in = java.nio.file.Files.newInputStream(file)) {
        long offset = 0;
        while (offset < size) {
          byte[] chunk = in.readNBytes((int) Math.min(chunkSize, size - offset));
          HttpRequest.Builder patch = HttpRequest.newBuilder(location)
              .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk))
              .header("Content-Type", "application/octet-stream")
              .header("Content-Range", offset + "-" + (offset + chunk.length - 1));
          r = send(patch, scope, HttpResponse.BodyHandlers.ofByteArray());
          if (r.statusCode() != 202) {
            throw error(r.statusCode(), r.body(), "uploading " + digest + " to " + repo + " at offset " + offset);
          }
          location = location(r);
          offset += chunk.length;
        }
      }
      r = send(HttpRequest.newBuilder(withDigest(location, digest)).PUT(HttpRequest.BodyPublishers.noBody()),
          scope, HttpResponse.BodyHandlers.ofByteArray());
    } else {
      r = send(HttpRequest.newBuilder(withDigest(location, digest)).PUT(HttpRequest.BodyPublishers.ofFile(file))
          .header("Content-Type", "application/octet-stream"), scope, HttpResponse.BodyHandlers.ofByteArray());
    }
    if (r.statusCode() != 201) {
      throw error(r.statusCode(), r.body(), "finishing the upload of " + digest + " to " + repo);
    }
  }

  /** PUTs a manifest under {@code ref}; returns the digest the registry stored it under. */
  Digest putManifest(String repo, String ref, byte[] bytes, String mediaType) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(repo, "/manifests/" + ref).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .header("Content-Type", mediaType).timeout(METADATA_TIMEOUT);
    HttpResponse<byte[]> r = send(b, scope(repo, true), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw error(r.statusCode(), r.body(), "manifest " + repo + ":" + ref);
    }
    Digest ours = Digest.of(bytes);
    String theirs = r.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (theirs != null && Digest.isDigest(theirs) && !theirs.equals(ours.toString())) {
      throw new DigestMismatchException(display + " stored manifest " + repo + ":" + ref + " as " + theirs
          + ", not " + ours);
    }
    return ours;
  }

  // ---- plumbing ----

  private static URI withDigest(URI location, Digest digest) {
    String s = location.toString();
    return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + URLEncoder.encode(digest.toString(),
        StandardCharsets.UTF_8));
  }

  private URI location(HttpResponse<?> r) throws IOException {
    String l = r.headers().firstValue("Location").orElseThrow(
        () -> new IOException(display + ": upload answer without a Location header"));
    return r.request().uri().resolve(l);
  }

  private HttpRequest.Builder request(String repo, String suffix) {
    return HttpRequest.newBuilder(base.resolve("/v2/" + repo + suffix));
  }

  private static String scope(String repo, boolean push) {
    return "repository:" + repo + ":" + (push ? "pull,push" : "pull");
  }

  /**
   * Sends with the authorization known for {@code scope}; on a 401 answers the challenge once (fetching a token
   * or using basic credentials) and sends again.
   */
  private <T> HttpResponse<T> send(HttpRequest.Builder b, String scope, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    String authz = authorization(scope);
    HttpRequest req = authz == null ? b.build() : b.copy().header("Authorization", authz).build();
    HttpResponse<T> r = exchange(req, handler);
    if (r.statusCode() != 401) {
      return r;
    }
    discard(r);
    String header = r.headers().firstValue("WWW-Authenticate").orElse(null);
    if (header == null) {
      throw new RegistryException(401, display + ": unauthorized (the registry sent no WWW-Authenticate challenge)");
    }
    challenge = parseChallenge(header);
    tokens.remove(scope);
    String again = authorization(scope);
    if (again == null || again.equals(authz)) {
      throw new RegistryException(401, display + ": authentication required for " + scope
          + (auth.hasBasic() ? " (the credentials given were refused)" : "; give credentials (X-Registry-Auth)"));
    }
    r = exchange(b.copy().header("Authorization", again).build(), handler);
    if (r.statusCode() == 401) {
      discard(r);
      throw new RegistryException(401, display + ": the registry refused the credentials for " + scope);
    }
    return r;
  }

  /** Only connections {@code allow} lets through are opened (checked on every request, redirects included). */
  RegistryClient allow(RegistryAllowList allow) {
    this.allow = allow == null ? RegistryAllowList.ALL : allow;
    return this;
  }

  private <T> HttpResponse<T> exchange(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    allow.check(req.uri(), display);
    try {
      return http.send(req, handler);
    } catch (java.net.ConnectException e) {
      throw new java.net.ConnectException(display + ": cannot connect to " + base + " ("
          + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")");
    } catch (javax.net.ssl.SSLException e) {
      throw new IOException(display + ": TLS handshake with " + base + " failed: " + e.getMessage()
          + (base.getScheme().equals("https") ? " (a registry without TLS must be named with --insecure-registry)" : ""), e);
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException(display + ": " + base + " did not answer in time", e);
    }
  }

  private static void discard(HttpResponse<?> r) throws IOException {
    if (r.body() instanceof InputStream in) {
      in.close();
    }
  }

  /** The Authorization header for {@code scope} under the last challenge, fetching a token if needed; or null. */
  private String authorization(String scope) throws IOException, InterruptedException {
    Map<String, String> c = challenge;
    if (c == null) {
      return null;
    }
    if ("basic".equals(scheme)) {
      return auth.hasBasic() ? basic() : null;
    }
    String t = tokens.get(scope);
    if (t == null) {
      t = fetchToken(c, scope);
      tokens.put(scope, t);
    }
    return "Bearer " + t;
  }

  private String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password())
        .getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, String> parseChallenge(String header) {
    String h = header.trim();
    int sp = h.indexOf(' ');
    String s = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(java.util.Locale.ROOT);
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(sp < 0 ? "" : h.substring(sp + 1));
    while (m.find()) {
      params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
    }
    scheme = s;
    return params;
  }

  private String fetchToken(Map<String, String> c, String scope) throws IOException, InterruptedException {
    String realm = c.get("realm");
    if (realm == null) {
      throw new RegistryException(401, display + ": Bearer challenge without a realm");
    }
    if (auth.registryToken() != null) {
      return auth.registryToken();
    }
    StringBuilder q = new StringBuilder();
    if (c.containsKey("service")) {
      q.append("service=").append(URLEncoder.encode(c.get("service"), StandardCharsets.UTF_8));
    }
    if (scope != null) {
      q.append(q.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + q))
        .GET().timeout(METADATA_TIMEOUT);
    if (auth.hasBasic()) {
      b.header("Authorization", basic());
    }
    HttpResponse<byte[]> r = exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new RegistryException(401, display + ": the token server " + realm + " refused "
          + (scope == null ? "the login" : scope) + " (HTTP "
          + r.statusCode() + ")" + (auth.hasBasic() ? "" : "; give credentials (X-Registry-Auth)"));
    }
    JsonNode n = Manifest.JSON.readTree(r.body());
    String t = n.hasNonNull("token") ? n.get("token").asText() : n.path("access_token").asText(null);
    if (t == null || t.isEmpty()) {
      throw new RegistryException(401, display + ": the token server " + realm + " sent no token");
    }
    return t;
  }

  private RegistryException error(int status, byte[] body, String what) {
    String detail = null;
    try {
      JsonNode n = Manifest.JSON.readTree(body);
      JsonNode e = n == null ? null : n.path("errors").path(0);
      if (e != null && e.has("message")) {
        detail = e.path("code").asText("") + " " + e.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not the registry's JSON error shape
    }
    String msg = display + ": " + what + ": " + (status == 404 ? "not found" : "HTTP " + status)
        + (detail != null ? " (" + detail.trim() + ")" : "");
    return new RegistryException(status, msg);
  }
}
