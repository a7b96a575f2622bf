package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Hardware architecture and operating system (Docker {@code Platform}), e.g. {@code x86_64} / {@code linux}. */
public class Platform {
  public String architecture;
  @JsonProperty("OS")
  public String os;
}
