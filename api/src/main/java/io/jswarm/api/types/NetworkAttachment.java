package io.jswarm.api.types;

import java.util.List;

/**
 * A task's place on one network (Docker {@code NetworkAttachment}): the full network object as allocated
 * and the task's addresses on it in CIDR form, e.g. {@code 10.255.0.10/16}.
 */
public class NetworkAttachment {
  public Network network;
  public List<String> addresses;
}
