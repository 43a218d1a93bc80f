using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Jobs;
using SkyServe.Controller.Persistence;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>service_events does not grow without bound: old events go, and a busy service keeps only its newest.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EventRetentionTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Old_events_and_all_but_the_newest_of_a_busy_service_are_deleted(Database engine)
    {
        await using var server = await ControllerServer.StartAsync(engine, data.Path, postgres);
        await server.Client.CreateAsync(Specs.Named("busy"));
        await server.Client.CreateAsync(Specs.Named("quiet"));
        var now = new DateTime(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var busy = (await db.Services.SingleAsync(s => s.Name == "busy")).Id;
        var quiet = (await db.Services.SingleAsync(s => s.Name == "quiet")).Id;
        await db.ServiceEvents.ExecuteDeleteAsync(); // only the events this test writes
        for (var i = 0; i < 50; i++)
            db.ServiceEvents.Add(new ServiceEventRecord { ServiceId = busy, At = now.AddMinutes(-50 + i), ToStatus = "READY", Reason = $"busy {i}" });
        db.ServiceEvents.Add(new ServiceEventRecord { ServiceId = quiet, At = now.AddDays(-40), ToStatus = "READY", Reason = "long ago" });
        db.ServiceEvents.Add(new ServiceEventRecord { ServiceId = quiet, At = now.AddDays(-1), ToStatus = "READY", Reason = "yesterday" });
        await db.SaveChangesAsync();

        var deleted = await EventRetentionJob.DeleteAsync(db, olderThan: now.AddDays(-30), keepPerService: 20, CancellationToken.None);

        Assert.Equal(31, deleted); // the quiet service's old one, and the busy service's 30 oldest
        var left = await db.ServiceEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(30, 20).Select(i => $"busy {i}"), left.Where(e => e.ServiceId == busy).Select(e => e.Reason));
        Assert.Equal(["yesterday"], left.Where(e => e.ServiceId == quiet).Select(e => e.Reason));
        Assert.Equal(0, await EventRetentionJob.DeleteAsync(db, now.AddDays(-30), 20, CancellationToken.None)); // nothing more to do
    }
}
