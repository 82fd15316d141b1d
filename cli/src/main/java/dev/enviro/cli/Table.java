package dev.enviro.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns separated by at least three spaces, as Docker's listings are. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    void add(String... row) {
        rows.add(row);
    }

    void print(PrintStream out) {
        int columns = rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 3));
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        out.print(text);
        out.flush();
    }
}
