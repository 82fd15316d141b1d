package dev.enviro.runtime.logs;

/** Which of the container's outputs a log record came from; the CRI log file names them in lower case. */
public enum LogStream {
    STDOUT, STDERR
}
