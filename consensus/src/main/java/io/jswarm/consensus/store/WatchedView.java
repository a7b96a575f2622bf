package io.jswarm.consensus.store;

/** A snapshot read plus a watch that carries every change applied after it, with no gap and no overlap. */
public record WatchedView<R>(R snapshot, Watch watch) {}
