/**
 * Container logs on this node: the json-file logs the container monitor writes
 * ({@code <data-root>/containers/<task>/json.log}, rotated to {@code json.log.1} .. {@code json.log.N}), read with
 * Docker's options ({@link io.jswarm.worker.logs.JsonLogReader}), and served to managers on the node's cluster
 * port ({@link io.jswarm.worker.logs.NodeLogRoutes}).
 */
package io.jswarm.worker.logs;
