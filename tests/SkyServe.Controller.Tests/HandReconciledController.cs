using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Jobs;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// A controller on SQLite and a <see cref="FakeCloudProvider"/> whose reconcile loop is off: a test creates services
/// through the API and reconciles them one pass at a time. A machine list counts at once (no grace for a cloud's list).
/// </summary>
public sealed class HandReconciledController : IAsyncDisposable
{
    private readonly TempDirectory data;

    private HandReconciledController(ControllerServer server, FakeCloudProvider cloud, TempDirectory data)
    {
        Server = server;
        Cloud = cloud;
        this.data = data;
        Leader = server.Services.GetRequiredService<LeaderElection>();
    }

    public ControllerServer Server { get; }
    public FakeCloudProvider Cloud { get; }
    public LeaderElection Leader { get; }

    /// <param name="zones">The fake cloud's zones, as <c>cloud/region/zone</c>.</param>
    public static Task<HandReconciledController> StartAsync(params string[] zones) => StartAsync(new JobSchedule(), zones);

    /// <param name="jobs">The background jobs' schedule (a test of the orphan collector shortens its grace).</param>
    /// <param name="zones">The fake cloud's zones, as <c>cloud/region/zone</c>.</param>
    public static async Task<HandReconciledController> StartAsync(JobSchedule jobs, params string[] zones)
    {
        var cloud = new FakeCloudProvider(zones);
        var data = new TempDirectory();
        var server = await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Enabled = false, MachineListInterval = TimeSpan.FromTicks(1) },
            Jobs = jobs,
        }, cloud);
        var controller = new HandReconciledController(server, cloud, data);
        Assert.True(await controller.Leader.IsLeaderAsync(CancellationToken.None));
        return controller;
    }

    /// <summary>Creates the service through the API; its row id.</summary>
    public async Task<long> CreateAsync(string name, string spec)
    {
        var created = await Server.Client.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await using var scope = Server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == name)).Id;
    }

    /// <summary>One reconcile pass of the service, as the leader of the current generation.</summary>
    public async Task ReconcileAsync(long id)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, Leader.Generation, CancellationToken.None);
    }

    public async Task<List<ReplicaRecord>> ReplicasAsync(long id)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ControllerDb>().Replicas.AsNoTracking().Where(r => r.ServiceId == id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        data.Dispose();
    }
}
