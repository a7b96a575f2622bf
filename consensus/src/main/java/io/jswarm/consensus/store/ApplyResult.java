package io.jswarm.consensus.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * What applying one committed batch produced: the log index, and either success or the reason the whole batch
 * was rejected (stale version, missing object, name in use). Rejections are deterministic, so every manager
 * reaches the same verdict for the same entry.
 */
public record ApplyResult(
    @JsonProperty("index") long index,
    @JsonProperty("outcome") Outcome outcome,
    @JsonProperty("message") String message) {

  public enum Outcome {
    OK,
    CONFLICT,
    NOT_FOUND
  }

  @JsonCreator
  public ApplyResult {}

  public static ApplyResult ok(long index) {
    return new ApplyResult(index, Outcome.OK, null);
  }

  public boolean isOk() {
    return outcome == Outcome.OK;
  }

  /** The typed error for a rejected batch; null when it succeeded. */
  public JswarmException error() {
    return switch (outcome) {
      case OK -> null;
      case CONFLICT -> new ConflictException(message);
      case NOT_FOUND -> new NotFoundException(message);
    };
  }

  public byte[] encode() {
    return Json.toString(this).getBytes(StandardCharsets.UTF_8);
  }

  public static ApplyResult decode(byte[] bytes) {
    return Json.fromBytes(bytes, ApplyResult.class);
  }
}
