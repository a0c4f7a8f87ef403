package dev.patron.shared.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Runs in a child JVM for {@link EmbeddedPostgresServerTests}: starts the durable embedded server
 * on a directory, then commits numbered rows forever, printing "COMMITTED n" after each commit
 * returns, until the test kills it.
 */
public final class CrashProbe {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0, true);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "")) {
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists probe(n bigint primary key)");
            }
            long start;
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery("select coalesce(max(n), 0) from probe")) {
                rs.next();
                start = rs.getLong(1);
            }
            try (PreparedStatement insert = c.prepareStatement("insert into probe(n) values (?)")) {
                for (long n = start + 1; ; n++) {
                    insert.setLong(1, n);
                    insert.executeUpdate(); // autocommit: returns after the commit is durable
                    System.out.println("COMMITTED " + n);
                    System.out.flush();
                }
            }
        }
    }
}
