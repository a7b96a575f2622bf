package io.jswarm.transport.http;

import io.jswarm.api.json.Json;
import io.jswarm.transport.pki.PeerIdentity;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as handlers see it. {@code path} has any {@code /v1.NN} prefix already removed and no query
 * string; {@code headers} keys are lower case; {@code pathParams} are the {@code {name}} parts of the matched
 * route; {@code peer} is the verified client certificate's identity (null on the API socket or when the client
 * sent none); {@code remoteAddress} is the client's TCP address (null on a unix socket).
 */
public record HttpRequest(String method, String path, Map<String, List<String>> query,
    Map<String, String> headers, byte[] body, Map<String, String> pathParams, PeerIdentity peer,
    InetSocketAddress remoteAddress) {

  /** A request with no known remote address (tests, the unix socket). */
  public HttpRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
      byte[] body, Map<String, String> pathParams, PeerIdentity peer) {
    this(method, path, query, headers, body, pathParams, peer, null);
  }

  /** First value of a query parameter, or null. */
  public String param(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public String pathParam(String name) {
    return pathParams.get(name);
  }

  /** A boolean query parameter the way dockerd reads it: 1/true/yes (any case) are true, absent is false. */
  public boolean flag(String name) {
    String v = param(name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"));
  }

  /**
   * The body decoded as JSON; an empty, {@code null}, malformed or wrong-typed body is a 400 naming the field and
   * what it takes (see {@link Json#fromRequest}).
   */
  public <T> T json(Class<T> type) {
    return Json.fromRequest(body, type, "request body");
  }

  public HttpRequest withPathParams(Map<String, String> params) {
    return new HttpRequest(method, path, query, headers, body, params, peer, remoteAddress);
  }
}
