using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// Tells a database that is away (down, restarting, unreachable, busy) from a bug: the first passes by itself
/// and deserves a retry or a 503, the second a stack trace. EF and the pool wrap the cause, so the chain is searched.
/// </summary>
public static class DatabaseFailures
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p:
                    return p.IsTransient || IsUnavailableState(p.SqlState);
                case NpgsqlException n:
                    return n.IsTransient || n.InnerException is null or SocketException or IOException or TimeoutException or EndOfStreamException;
                case SqliteException s:
                    return s.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED ("database is locked")
                case TimeoutException when e.Source?.StartsWith("Npgsql", StringComparison.Ordinal) == true:
                    return true; // the pool found no connection in time
            }
        }
        return false;
    }

    /// <summary>The cause in one line, for a log line or a problem detail: the database error and what lies under it.</summary>
    public static string Cause(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null && e is not (NpgsqlException or SqliteException))
            e = e.InnerException; // skip EF's and the pool's wrappers
        var messages = new List<string>();
        for (; e is not null; e = e.InnerException)
            if (!messages.Contains(e.Message))
                messages.Add(e.Message);
        return string.Join(": ", messages);
    }

    // 08: connection exceptions; 57P01-57P03: admin or crash shutdown, cannot connect now; 53: insufficient resources.
    private static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" || state.StartsWith("53", StringComparison.Ordinal);
}
