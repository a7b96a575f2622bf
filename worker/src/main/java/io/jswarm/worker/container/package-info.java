/**
 * The container executor (the daemon's default): one OCI bundle per task, an overlayfs root from the image's
 * layers, run by runc or crun under a small monitor process that outlives the daemon and records the exit code
 * and OOM kill. Images come from {@link io.jswarm.worker.image.ImageProvider}, networks from
 * {@link io.jswarm.worker.network.TaskNetworking}.
 */
package io.jswarm.worker.container;
