package io.jswarm.api.dispatcher;

/** Answer to a heartbeat: when to send the next one, in nanoseconds. */
public class HeartbeatResponse {
  public Long period;

  public HeartbeatResponse() {}

  public HeartbeatResponse(long period) {
    this.period = period;
  }
}
