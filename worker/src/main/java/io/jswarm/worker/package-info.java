/**
 * Worker agent: dispatcher session, one controller per task, the OCI executor. (Issue 3/4.)
 */
package io.jswarm.worker;
