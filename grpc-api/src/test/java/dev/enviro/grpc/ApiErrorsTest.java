package dev.enviro.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {

    private static final EngineAddress ADDRESS = EngineAddress.parse("unix:///run/enviro/enviro.sock");

    @Test
    void everyCodeCrossesAndComesBackAsItself() {
        for (ErrorCode code : ErrorCode.values()) {
            EnviroError back = ApiErrors.fromStatus(ApiErrors.toStatus(new EnviroError(code, "image \"x\": " + code)), ADDRESS);
            assertEquals(code, back.code());
            assertEquals("image \"x\": " + code, back.getMessage());
            assertEquals(code.exitCode(), back.exitCode());
        }
    }

    @Test
    void gRpcClientsThatKnowNothingOfEnviroSeeTheNearestStatus() {
        assertEquals(Status.Code.FAILED_PRECONDITION, status(ErrorCode.CONFLICT));
        assertEquals(Status.Code.FAILED_PRECONDITION, status(ErrorCode.COMMAND_NOT_FOUND));
        assertEquals(Status.Code.PERMISSION_DENIED, status(ErrorCode.DENIED));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status(ErrorCode.EXHAUSTED));
        assertEquals(Status.Code.DATA_LOSS, status(ErrorCode.CORRUPT));
        assertEquals(Status.Code.NOT_FOUND, status(ErrorCode.NOT_FOUND));
    }

    @Test
    void aTransportsUnavailableIsAnUnreachableEngine() {
        EnviroError e = ApiErrors.fromStatus(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException(), ADDRESS);
        assertEquals(ErrorCode.UNREACHABLE, e.code());
        assertTrue(e.getMessage().startsWith("cannot reach the Enviro engine at unix:///run/enviro/enviro.sock"), e.getMessage());
        assertEquals(125, e.exitCode());
    }

    @Test
    void anEngineThatWentAwayDuringTheCallIsNotCalledMissing() {
        EnviroError e = ApiErrors.fromStatus(Status.UNAVAILABLE.withDescription("Network closed for unknown reason").asRuntimeException(), ADDRESS);
        assertEquals(ErrorCode.UNREACHABLE, e.code());
        assertTrue(e.getMessage().startsWith("lost the connection to the Enviro engine at unix:///run/enviro/enviro.sock during the call"), e.getMessage());
        assertTrue(e.getMessage().contains("check with 'enviro ps'"), e.getMessage());
        EnviroError refused = ApiErrors.fromStatus(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new java.net.ConnectException("connect(..) failed: Connection refused")).asRuntimeException(), ADDRESS);
        assertTrue(refused.getMessage().startsWith("cannot reach the Enviro engine"), refused.getMessage());
    }

    @Test
    void aCodeFromANewerEngineFallsBackToTheStatus() {
        Metadata trailers = new Metadata();
        trailers.put(ApiErrors.CODE, "SOMETHING_NEW");
        StatusRuntimeException e = Status.NOT_FOUND.withDescription("gone").asRuntimeException(trailers);
        assertEquals(ErrorCode.NOT_FOUND, ApiErrors.fromStatus(e, ADDRESS).code());
    }

    private static Status.Code status(ErrorCode code) {
        return ApiErrors.toStatus(new EnviroError(code, "m")).getStatus().getCode();
    }
}
