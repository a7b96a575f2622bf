package io.jswarm.api.types;

import java.util.List;

/**
 * CPU, memory and generic resources (Docker {@code Resources}, swagger {@code ResourceObject}): what a node
 * offers ({@code Node.Description.Resources}) and what a task reserves ({@code ResourceRequirements.Reservations}).
 * {@code NanoCPUs} is CPUs times 10^9.
 */
public class Resources {
  public Long nanoCPUs;
  public Long memoryBytes;
  public List<GenericResource> genericResources;
}
