package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event of {@code GET /events} (Docker {@code events.Message}): what happened ({@code Action}) to which kind of
 * object ({@code Type}: service, node, network, secret, config, container), the object ({@code Actor}: its id and
 * attributes such as {@code name}, {@code replicas.old}/{@code replicas.new} or {@code exitCode}), where
 * ({@code scope}: {@code swarm} for cluster objects, {@code local} for this node's containers) and when. Container
 * events also carry the deprecated {@code status}, {@code id} and {@code from} that old clients read.
 */
public class EventMessage {
  public static final String SCOPE_SWARM = "swarm";
  public static final String SCOPE_LOCAL = "local";

  @JsonProperty("status")
  public String status;
  @JsonProperty("id")
  public String id;
  @JsonProperty("from")
  public String from;
  public String type;
  public String action;
  public Actor actor;
  @JsonProperty("scope")
  public String scope;
  @JsonProperty("time")
  public long time;
  @JsonProperty("timeNano")
  public long timeNano;

  /** The object an event is about (Docker {@code events.Actor}). */
  @com.fasterxml.jackson.annotation.JsonPropertyOrder({"ID", "Attributes"})
  public static class Actor {
    @JsonProperty("ID")
    public String id;
    public Map<String, String> attributes;
  }

  /** An event at {@code when} about {@code actorId}, with the attributes given (copied, in order). */
  public static EventMessage of(String type, String action, String actorId, Map<String, String> attributes,
      String scope, Instant when) {
    EventMessage m = new EventMessage();
    m.type = type;
    m.action = action;
    m.actor = new Actor();
    m.actor.id = actorId;
    m.actor.attributes = new LinkedHashMap<>(attributes);
    m.scope = scope;
    m.time = when.getEpochSecond();
    m.timeNano = when.getEpochSecond() * 1_000_000_000L + when.getNano();
    return m;
  }

  /** The actor's attribute {@code key}, or null. */
  public String attribute(String key) {
    return actor == null || actor.attributes == null ? null : actor.attributes.get(key);
  }
}
