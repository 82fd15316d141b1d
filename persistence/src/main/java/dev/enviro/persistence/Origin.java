package dev.enviro.persistence;

/**
 * Who caused an event: the engine node that wrote it and the correlation id of the API call behind
 * it (the client's {@code enviro-correlation-id} header, or one generated per call). Events the engine
 * causes by itself (an exit, a restart policy firing, recovery) carry the id of the call that started
 * the process, or {@code engine:<reason>}. Null in events written before origins were recorded.
 */
public record Origin(String node, String correlationId) {

    public static final Origin UNKNOWN = new Origin(null, null);
}
