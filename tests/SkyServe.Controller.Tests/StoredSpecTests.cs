using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// A spec stored under an older release's rules (here: an over-provision beyond today's bound) must not break the
/// controller: the service goes FAILED once with the reason, the routing table still serves every service, and the
/// owner can still tear it down.
/// </summary>
public sealed class StoredSpecTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task A_stored_spec_that_no_longer_validates_fails_its_service_once_and_nothing_else()
    {
        var options = new Hosting.ControllerOptions
        {
            DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
        };
        // The older release stored it; this one starts on the same database.
        await using (var older = await ControllerServer.StartAsync(options))
        {
            await older.Client.CreateAsync(Specs.Named("old"));
            await older.Client.CreateAsync(Specs.Named("fine"));
            await using var scope = older.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var oldId = (await db.Services.SingleAsync(s => s.Name == "old")).Id;
            var version = await db.ServiceVersions.SingleAsync(v => v.ServiceId == oldId);
            version.SpecText = version.SpecText.Replace("replicas: 2", "replica_policy:\n    min_replicas: 2\n    num_overprovision: 1000000");
            await db.SaveChangesAsync();
        }
        await using var server = await ControllerServer.StartAsync(options);

        for (var pass = 0; pass < 3; pass++)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var old = await db.Services.SingleAsync(s => s.Name == "old");
            var leader = scope.ServiceProvider.GetRequiredService<LeaderElection>();
            Assert.True(await leader.IsLeaderAsync(CancellationToken.None));
            await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(old.Id, leader.Generation, CancellationToken.None);
        }

        var service = await (await server.Client.GetAsync("/api/v1/services/old")).ReadJsonAsync();
        Assert.Equal("FAILED", service["status"]!.GetValue<string>());
        var events = (JsonArray)(await (await server.Client.GetAsync("/api/v1/services/old/events")).ReadJsonAsync());
        var failed = Assert.Single(events, e => e!["to_status"]?.GetValue<string>() == "FAILED")!;
        Assert.Contains("num_overprovision", failed["reason"]!.GetValue<string>());

        var routes = await (await server.Client.GetAsync("/api/v1/lb/routes")).ReadJsonAsync();
        Assert.Equal(["fine", "old"], routes["services"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).Order());

        Assert.True((await server.Client.DeleteAsync("/api/v1/services/old")).IsSuccessStatusCode);
    }
}
