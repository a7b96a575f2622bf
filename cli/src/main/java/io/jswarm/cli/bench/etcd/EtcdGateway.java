package io.jswarm.cli.bench.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/**
 * The same compare-and-set as {@link EtcdGrpc#compareAndSet} through etcd's JSON gRPC-gateway
 * ({@code POST /v3/kv/txn} over HTTP/1.1, base64 keys and values): only to measure what the gateway costs etcd.
 */
public final class EtcdGateway {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI txn;
  private final Duration timeout;

  public EtcdGateway(String host, int port, long timeoutMs) {
    this.txn = URI.create("http://" + host + ":" + port + "/v3/kv/txn");
    this.timeout = Duration.ofMillis(timeoutMs);
  }

  public EtcdGrpc.Cas compareAndSet(byte[] key, long expected, byte[] value) throws IOException, InterruptedException {
    ObjectMapper m = Json.mapper();
    Base64.Encoder b64 = Base64.getEncoder();
    String k = b64.encodeToString(key);
    ObjectNode req = m.createObjectNode();
    req.putArray("compare").addObject().put("result", "EQUAL").put("target", "MOD").put("key", k)
        .put("mod_revision", Long.toString(expected));
    req.putArray("success").addObject().putObject("request_put").put("key", k).put("value", b64.encodeToString(value));
    req.putArray("failure").addObject().putObject("request_range").put("key", k).put("serializable", true);
    HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(txn).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(m.writeValueAsBytes(req))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (resp.statusCode() != 200) {
      throw new IOException("etcd gateway " + txn + ": HTTP " + resp.statusCode() + " " + new String(resp.body()));
    }
    JsonNode r = m.readTree(resp.body());
    if (r.path("succeeded").asBoolean(false)) {
      return new EtcdGrpc.Cas(true, r.path("header").path("revision").asLong());
    }
    JsonNode kv = r.path("responses").path(0).path("response_range").path("kvs").path(0);
    return new EtcdGrpc.Cas(false, kv.path("mod_revision").asLong());
  }
}
