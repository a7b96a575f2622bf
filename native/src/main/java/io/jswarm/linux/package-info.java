/**
 * Native layer: JNA bindings for libc and rtnetlink. C names stay as they are in one binding
 * interface; wrappers check errno and throw an exception naming the call and the errno. (Issue 4/5.)
 */
package io.jswarm.linux;
