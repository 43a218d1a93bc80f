using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using SkyServe.Controller.Persistence;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>Which failures count as "the database is away", and that an outage is logged once, not once per failure.</summary>
public sealed class DatabaseOutageLogTests
{
    private static readonly NpgsqlException Refused = new("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

    public static TheoryData<Exception> Transient() =>
    [
        Refused,
        new DbUpdateException("An error occurred while saving the entity changes.", Refused),
        new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", Refused),
        new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"),
        new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"),
        new SqliteException("database is locked", 5),
    ];

    public static TheoryData<Exception> NotTransient() =>
    [
        new InvalidOperationException("Sequence contains more than one element"),
        new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505"),
        new DbUpdateException("constraint", new SqliteException("UNIQUE constraint failed", 19)),
        new TimeoutException("a probe timed out"),
    ];

    [Theory]
    [MemberData(nameof(Transient))]
    public void A_database_that_is_away_is_transient_however_wrapped(Exception e) => Assert.True(DatabaseFailures.IsTransient(e), e.ToString());

    [Theory]
    [MemberData(nameof(NotTransient))]
    public void Bugs_and_constraint_violations_are_not_transient(Exception e) => Assert.False(DatabaseFailures.IsTransient(e), e.ToString());

    [Fact]
    public void The_cause_names_the_database_error_and_what_lies_under_it() =>
        Assert.Equal("Failed to connect to 127.0.0.1:5432: Connection refused",
            DatabaseFailures.Cause(new DbUpdateException("An error occurred while saving the entity changes.", Refused)));

    [Fact]
    public void An_outage_is_logged_once_then_at_most_once_a_minute_and_its_end_once()
    {
        var clock = new ManualClock();
        var log = new ListLogger();
        var outage = new DatabaseOutage(clock, log);

        for (var i = 0; i < 1000; i++) // ten loops and the API failing every 100 ms for 100 s
        {
            outage.Failed(i % 2 == 0 ? "reconcile loop" : "API", Refused);
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.True(outage.IsOngoing);
        outage.Succeeded();
        outage.Succeeded();

        Assert.Collection(log.Lines,
            l => Assert.Equal("Error: database unreachable (reconcile loop): Failed to connect to 127.0.0.1:5432: Connection refused; retrying", l),
            l => Assert.StartsWith("Warning: database still unreachable after 60 s (599 more failures;", l),
            l => Assert.Equal("Information: database is back after 100 s", l));
        Assert.False(outage.IsOngoing);
    }

    private sealed class ListLogger : ILogger<DatabaseOutage>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
