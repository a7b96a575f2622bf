package io.jswarm.api.dispatcher;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /dispatcher/heartbeat}. An unknown session is answered 409: open a new one. */
public class HeartbeatRequest {
  @JsonProperty("SessionID")
  public String sessionId;

  public HeartbeatRequest() {}

  public HeartbeatRequest(String sessionId) {
    this.sessionId = sessionId;
  }
}
