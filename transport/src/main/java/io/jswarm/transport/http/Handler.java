package io.jswarm.transport.http;

/**
 * Serves one route. Throwing a {@link io.jswarm.api.errors.JswarmException} answers with its status and
 * {@code {"message": ...}}; any other exception is a 500 with the exception's message.
 */
@FunctionalInterface
public interface Handler {
  HttpResponse handle(HttpRequest request) throws Exception;
}
