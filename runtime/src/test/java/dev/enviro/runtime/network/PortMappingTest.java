package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.errors.EnviroError;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** `-p` as docker reads it, and one line for each wrong value. */
class PortMappingTest {

    @Test
    void theFormsDockerTakes() {
        assertEquals("[0.0.0.0:8080->80/tcp]", PortMapping.parseAll(List.of("8080:80")).toString());
        assertEquals("[127.0.0.1:8080->80/udp]", PortMapping.parseAll(List.of("127.0.0.1:8080:80/udp")).toString());
        assertEquals("[0.0.0.0:9000->90/tcp, 0.0.0.0:9001->91/tcp, 0.0.0.0:9002->92/tcp]", PortMapping.parseAll(List.of("9000-9002:90-92")).toString());
        assertEquals(2, PortMapping.parseAll(List.of("53:53/udp", "53:53/tcp")).size(), "one port, two protocols");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
            "80#-p '80': expected [IP:]HOST-PORT:CONTAINER-PORT[/tcp|udp]",
            "0:80#-p '0:80': port 0 is outside 1-65535",
            "70000:80#-p '70000:80': port 70000 is outside 1-65535",
            "8080:80/sctp#-p '8080:80/sctp': the protocol is tcp or udp",
            "x:8080:80#-p 'x:8080:80': 'x' is not an IPv4 address of the host",
            "8080-8081:80#-p '8080-8081:80': the host and container ranges differ in length",
            "http:80#-p 'http:80': 'http' is not a port number"})
    void aWrongValueIsOneLineNamingIt(String value, String message) {
        assertEquals(message, assertThrows(EnviroError.class, () -> PortMapping.parseAll(List.of(value))).getMessage());
    }

    @Test
    void aHostPortPublishedTwiceIsRefused() {
        assertEquals("-p: host port 8080/tcp is published twice: give each mapping its own host port",
                assertThrows(EnviroError.class, () -> PortMapping.parseAll(List.of("8080:80", "127.0.0.1:8080:81"))).getMessage());
    }
}
