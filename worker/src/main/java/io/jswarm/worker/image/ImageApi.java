package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker Engine API's image routes over the node's {@link ImageStore} (every node serves them on its API
 * socket): create (pull, import), load, list, inspect, tag, remove, push, save. Pull and push answer with
 * Docker's JSON progress stream ({@code {"status":...,"id":...}} lines, an {@code errorDetail} line on failure).
 */
public final class ImageApi implements AutoCloseable {
  private static final java.util.Set<String> FILTERS = java.util.Set.of("reference", "dangling", "label");
  private static final Logger LOG = LoggerFactory.getLogger(ImageApi.class);

  private final ImageStore store;
  private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "image-api-stream");
    t.setDaemon(true);
    return t;
  });

  public ImageApi(ImageStore store) {
    this.store = store;
  }

  public void routes(Router r) {
    r.postRaw("/images/create", this::create); // ?fromSrc=- imports the body, a tarball
    r.postRaw("/images/load", this::load);
    r.get("/images/json", this::list);
    r.get("/distribution/{name...}", this::distribution);
    r.post("/auth", this::login);
    r.get("/images/get", this::saveMany);
    r.get("/images/{name...}", this::getByName);
    r.post("/images/{name...}", this::postByName);
    r.delete("/images/{name...}", this::remove);
  }

  // ---- create: pull or import ----

  private HttpResponse create(HttpRequest req) throws Exception {
    String fromImage = req.param("fromImage");
    String fromSrc = req.param("fromSrc");
    if (fromImage != null && !fromImage.isEmpty()) {
      String tag = req.param("tag");
      String ref = fromImage;
      if (tag != null && !tag.isEmpty()) {
        ref = fromImage + (Digest.isDigest(tag) ? "@" : ":") + tag;
      }
      ImageReference parsed = ImageReference.parse(ref); // a malformed name is a 400 before the stream starts
      String platform = req.param("platform");
      if (platform != null && !platform.isEmpty() && !platform.startsWith("linux")) {
        throw new InvalidArgumentException("platform: \"" + platform + "\" is not supported; this node runs linux");
      }
      RegistryAuth auth = RegistryAuth.fromHeader(req.headers().get("x-registry-auth"));
      String reference = ref;
      return progressStream(sink -> {
        store.pull(reference, auth, req.flag("insecure"), progress(sink));
        sendLine(sink, Map.of("status", "Status: Downloaded newer image for " + parsed.familiar()));
      });
    }
    if (fromSrc != null && !fromSrc.isEmpty()) {
      if (!fromSrc.equals("-")) {
        throw new InvalidArgumentException("fromSrc: only \"-\" (the request body) is supported, got \"" + fromSrc
            + "\"; download the tarball and send it as the body");
      }
      String repo = req.param("repo");
      String tag = req.param("tag");
      String ref = repo == null || repo.isEmpty() ? null : (tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
      List<String> changes = req.query().getOrDefault("changes", List.of());
      String id = store.importRootfs(new ByteArrayInputStream(req.body()), ref, changes, req.param("message"));
      return HttpResponse.bytes(200, "application/json", line(Map.of("status", id)));
    }
    throw new InvalidArgumentException("fromImage or fromSrc: give the image to pull (fromImage) or \"-\" to import "
        + "the request body (fromSrc)");
  }

  // ---- distribution ----

  /** {@code GET /distribution/{name}/json}: the digest and platforms a service pins ({@link Distribution}). */
  private HttpResponse distribution(HttpRequest req) throws Exception {
    String name = req.pathParam("name");
    if (name == null || !name.endsWith("/json") || name.length() <= "/json".length()) {
      throw new io.jswarm.api.errors.NotFoundException("page not found: /distribution/" + name
          + " (the route is /distribution/{image name}/json)");
    }
    String reference = name.substring(0, name.length() - "/json".length());
    RegistryAuth auth = RegistryAuth.fromHeader(req.headers().get("x-registry-auth"));
    return HttpResponse.ok(new Distribution(store).inspect(reference, auth));
  }

  /**
   * {@code POST /auth} ({@code docker login}): {@code {username, password, serveraddress}} checked against that
   * registry ({@code https://index.docker.io/v1/} or empty is Docker Hub); 200 {@code Login Succeeded}, or 401 with
   * the registry's refusal. Nothing is kept: the client keeps the credentials and sends them with each request.
   */
  private HttpResponse login(HttpRequest req) throws Exception {
    com.fasterxml.jackson.databind.JsonNode b = req.json(com.fasterxml.jackson.databind.JsonNode.class);
    String server = b.path("serveraddress").asText("");
    String domain = registryDomain(server);
    String user = b.path("username").asText(null);
    String password = b.path("password").asText(null);
    if (user == null || user.isEmpty() || password == null) {
      throw new InvalidArgumentException("username and password: both are required to log in to " + domain);
    }
    try {
      store.registryClient(domain, new RegistryAuth(user, password, null, null)).login();
    } catch (RegistryException e) {
      if (e.status() == 401) {
        throw new UnauthorizedException(e.getMessage());
      }
      throw new InvalidArgumentException("login to " + domain + " failed: " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new InvalidArgumentException("serveraddress: cannot reach registry " + domain + " (" + e.getMessage()
          + "); check the address, and name a registry without TLS with --insecure-registry");
    }
    return HttpResponse.ok(Map.of("Status", "Login Succeeded", "IdentityToken", ""));
  }

  /** The registry of a {@code docker login} server address: scheme and path dropped; Docker Hub's v1 URL is docker.io. */
  static String registryDomain(String server) {
    String s = server == null ? "" : server.trim();
    s = s.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.isEmpty() || s.equals("index.docker.io") || s.equals("registry-1.docker.io") || s.equals("docker.io")) {
      return ImageReference.DOCKER_HUB;
    }
    if (!s.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?")) {
      throw new InvalidArgumentException("serveraddress: \"" + server + "\" is not a registry host[:port]");
    }
    return s;
  }

  /** 401: the registry refused the credentials. */
  static final class UnauthorizedException extends io.jswarm.api.errors.JswarmException {
    UnauthorizedException(String message) {
      super(message);
    }

    @Override
    public int httpStatus() {
      return 401;
    }
  }

  // ---- load ----

  private HttpResponse load(HttpRequest req) throws Exception {
    if (req.body() == null || req.body().length == 0) {
      throw new InvalidArgumentException("load: the request body must be an image archive (docker save or OCI layout tar)");
    }
    List<String> lines = store.load(new ByteArrayInputStream(req.body()), Progress.NONE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : lines) {
      out.writeBytes(line(Map.of("stream", l + "\n")));
    }
    return HttpResponse.bytes(200, "application/json", out.toByteArray());
  }

  // ---- list ----

  private HttpResponse list(HttpRequest req) throws Exception {
    List<Map<String, Object>> all = store.list();
    Map<String, List<String>> filters = Filters.parse(req.param("filters"), FILTERS).asMap();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> s : all) {
      if (matches(s, filters)) {
        out.add(s);
      }
    }
    return HttpResponse.ok(out);
  }

  @SuppressWarnings("unchecked")
  private static boolean matches(Map<String, Object> s, Map<String, List<String>> filters) {
    List<String> tags = (List<String>) s.get("RepoTags");
    List<String> refs = filters.get("reference");
    if (refs != null && !refs.isEmpty()) {
      boolean any = false;
      for (String want : refs) {
        Pattern p = glob(want);
        for (String t : tags) {
          String repo = t.substring(0, t.lastIndexOf(':'));
          any |= p.matcher(t).matches() || p.matcher(repo).matches();
        }
      }
      if (!any) {
        return false;
      }
    }
    List<String> dangling = filters.get("dangling");
    if (dangling != null && !dangling.isEmpty()) {
      boolean want = dangling.get(0).equals("true") || dangling.get(0).equals("1");
      if (tags.isEmpty() != want) {
        return false;
      }
    }
    List<String> labels = filters.get("label");
    if (labels != null) {
      Map<String, String> have = (Map<String, String>) s.get("Labels");
      for (String l : labels) {
        int eq = l.indexOf('=');
        String k = eq < 0 ? l : l.substring(0, eq);
        if (have == null || !have.containsKey(k) || (eq >= 0 && !l.substring(eq + 1).equals(have.get(k)))) {
          return false;
        }
      }
    }
    return true;
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char c : g.toCharArray()) {
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  // ---- by name: inspect, save, tag, push, remove ----

  private HttpResponse getByName(HttpRequest req) throws Exception {
    String rest = req.pathParam("name");
    if (rest.endsWith("/json")) {
      return HttpResponse.ok(store.inspect(strip(rest, "/json")));
    }
    if (rest.endsWith("/get")) {
      return save(List.of(strip(rest, "/get")));
    }
    if (rest.endsWith("/history")) {
      return HttpResponse.ok(history(strip(rest, "/history")));
    }
    throw new io.jswarm.api.errors.NotFoundException("page not found: GET /images/" + rest);
  }

  private HttpResponse postByName(HttpRequest req) throws Exception {
    String rest = req.pathParam("name");
    if (rest.endsWith("/tag")) {
      String repo = req.param("repo");
      if (repo == null || repo.isEmpty()) {
        throw new InvalidArgumentException("repo: required, the repository to tag the image into");
      }
      String tag = req.param("tag");
      store.tag(strip(rest, "/tag"), tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
      return HttpResponse.empty(201);
    }
    if (rest.endsWith("/push")) {
      String name = strip(rest, "/push");
      String tag = req.param("tag");
      String ref = tag == null || tag.isEmpty() ? name : name + ":" + tag;
      store.catalog().get(ref); // 404 before the stream starts
      RegistryAuth auth = RegistryAuth.fromHeader(req.headers().get("x-registry-auth"));
      return progressStream(sink -> {
        Digest d = store.push(ref, auth, req.flag("insecure"), progress(sink));
        ImageReference r = ImageReference.parse(ref);
        Map<String, Object> aux = new LinkedHashMap<>();
        aux.put("Tag", r.tag());
        aux.put("Digest", d.toString());
        aux.put("Size", store.manifestSize(store.catalog().get(ref)));
        sendLine(sink, Map.of("progressDetail", Map.of(), "aux", aux));
      });
    }
    throw new io.jswarm.api.errors.NotFoundException("page not found: POST /images/" + rest);
  }

  private HttpResponse remove(HttpRequest req) throws Exception {
    return HttpResponse.ok(store.remove(req.pathParam("name"), req.flag("force"), !req.flag("noprune")));
  }

  private HttpResponse saveMany(HttpRequest req) throws Exception {
    List<String> names = req.query().getOrDefault("names", List.of());
    if (names.isEmpty()) {
      throw new InvalidArgumentException("names: give at least one image to save");
    }
    return save(names);
  }

  private HttpResponse save(List<String> names) throws Exception {
    for (String n : names) {
      store.catalog().get(n);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.save(names, out);
    return HttpResponse.bytes(200, "application/x-tar", out.toByteArray());
  }

  private List<Map<String, Object>> history(String name) throws IOException {
    ImageStore.Image i = store.catalog().get(name);
    List<Map<String, Object>> out = new ArrayList<>();
    for (var h : i.config().path("history")) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Id", "<missing>");
      long created = 0;
      try {
        created = java.time.OffsetDateTime.parse(h.path("created").asText("")).toEpochSecond();
      } catch (RuntimeException ex) {
        // unknown time
      }
      e.put("Created", created);
      e.put("CreatedBy", h.path("created_by").asText(""));
      e.put("Tags", null);
      e.put("Size", 0);
      e.put("Comment", h.path("comment").asText(""));
      out.add(0, e);
    }
    if (!out.isEmpty()) {
      out.get(0).put("Id", i.id().toString());
      out.get(0).put("Tags", store.catalog().repoTags(i));
    }
    return out;
  }

  private static String strip(String rest, String suffix) {
    String n = rest.substring(0, rest.length() - suffix.length());
    if (n.isEmpty()) {
      throw new InvalidArgumentException("image name: empty");
    }
    return n;
  }

  // ---- progress streams ----

  @FunctionalInterface
  private interface StreamBody {
    void run(StreamSink sink) throws Exception;
  }

  private HttpResponse progressStream(StreamBody body) {
    return HttpResponse.stream(200, "application/json", sink -> streams.execute(() -> {
      try {
        body.run(sink);
      } catch (Exception e) {
        String msg = e instanceof JswarmException || e instanceof IOException ? e.getMessage() : e.toString();
        if (!(e instanceof JswarmException)) {
          LOG.debug("image stream failed", e);
        }
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("errorDetail", Map.of("message", msg == null ? e.getClass().getSimpleName() : msg));
        err.put("error", msg == null ? e.getClass().getSimpleName() : msg);
        sendLine(sink, err);
      } finally {
        sink.close();
      }
    }));
  }

  private static Progress progress(StreamSink sink) {
    return (id, status) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      if (id != null) {
        m.put("id", id);
      }
      if (status.equals("Downloading") || status.equals("Pushing") || status.equals("Extracting")) {
        m.put("progressDetail", Map.of());
      }
      sendLine(sink, m);
    };
  }

  private static void sendLine(StreamSink sink, Map<String, ?> m) {
    sink.send(line(m));
  }

  private static byte[] line(Map<String, ?> m) {
    return (Json.toString(m) + "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    streams.shutdownNow();
  }
}
