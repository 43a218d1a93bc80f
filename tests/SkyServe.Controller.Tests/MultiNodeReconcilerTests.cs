using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Contracts;
using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Jobs;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Providers;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// <c>num_nodes</c> in the reconciler, one reconcile at a time against <see cref="FakeCloudProvider"/> and SQLite: a
/// replica's machines launch together with their own tokens, all or nothing; losing any node loses the replica; every
/// node is terminated with it; the orphan collector keeps live workers and collects those of gone replicas.
/// </summary>
public sealed class MultiNodeReconcilerTests : IAsyncLifetime
{
    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 1
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
          use_spot: true
        num_nodes: 2
        run: python3 -m http.server 8080
        """;

    private HandReconciledController controller = null!;

    private ControllerServer Server => controller.Server;
    private FakeCloudProvider Cloud => controller.Cloud;

    public async Task InitializeAsync() => controller = await HandReconciledController.StartAsync(
        new JobSchedule { OrphanGrace = TimeSpan.Zero }, "aws/us-east-1/us-east-1a", "aws/us-east-1/us-east-1b");

    public async Task DisposeAsync() => await controller.DisposeAsync();

    [Fact]
    public async Task The_nodes_launch_together_in_one_location_each_with_its_own_token_and_rank()
    {
        var id = await controller.CreateAsync("svc", Spec);
        await controller.ReconcileAsync(id);

        var replica = Assert.Single(await controller.ReplicasAsync(id));
        Assert.Equal(ReplicaStatus.PROVISIONING, replica.Status);
        var worker = Assert.Single(replica.WorkerNodes!);
        Assert.Equal(1, worker.Rank);
        Assert.Equal(NodeGang.TokenFor(replica.LaunchToken, 1), worker.LaunchToken);
        Assert.NotNull(worker.InstanceId);
        Assert.Equal(Cloud.Machines.Select(m => m.Id).Order(), replica.MachineIds.Order());

        var requests = Cloud.LaunchRequests.OrderBy(r => r.Agent.Nodes.Rank).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal([replica.LaunchToken.ToString(), worker.LaunchToken.ToString()], requests.Select(r => r.ClientToken));
        Assert.Single(requests.Select(r => r.Offering).Distinct()); // one cloud, region, zone and type
        Assert.Equal(["0", "1"], requests.Select(r => r.Tags[MachineTags.NodeRank]));
        foreach (var (request, rank) in requests.Select((r, i) => (r, i)))
        {
            var variables = request.Agent.Nodes.Variables;
            Assert.Equal(2, request.Agent.Nodes.Count);
            Assert.Equal(rank.ToString(), variables[SkyPilotVariables.NodeRank]);
            Assert.Equal("2", variables[SkyPilotVariables.NumNodes]);
            Assert.Equal("0", variables[SkyPilotVariables.NumGpusPerNode]);
            Assert.Equal(replica.ReplicaId.ToString(), variables[SkyPilotVariables.ServeReplicaId]);
            Assert.StartsWith("sky-", variables[SkyPilotVariables.TaskId]);
            Assert.EndsWith($"_svc-{replica.ReplicaId}_1", variables[SkyPilotVariables.TaskId]);
            using var info = JsonDocument.Parse(variables[SkyPilotVariables.ClusterInfo]);
            Assert.Equal($"svc-{replica.ReplicaId}", info.RootElement.GetProperty("cluster_name").GetString());
            Assert.Equal("AWS", info.RootElement.GetProperty("cloud").GetString());
            Assert.Equal(replica.Zone, info.RootElement.GetProperty("zone").GetString());
            // Every node gets the replica's agent token, and the environment the agent passes on.
            Assert.Equal(requests[0].Agent.ControllerToken, request.Agent.ControllerToken);
            Assert.Equal(variables[SkyPilotVariables.NodeRank], AgentServingArguments.Environment(request.Agent)[SkyPilotVariables.NodeRank]);
            Assert.Contains(AgentFlags.NumNodes, AgentServingArguments.For(request.Agent, null, 0, "/work"));
        }

        // A retried launch (a crash before its result was saved) asks for the same machines by the same tokens: no extra ones.
        await UpdateReplicaAsync(id, r =>
        {
            r.Status = ReplicaStatus.PENDING;
            r.InstanceId = null;
            r.WorkerNodes = r.WorkerNodes!.Select(w => w with { InstanceId = null, Endpoint = null }).ToList();
        });
        await controller.ReconcileAsync(id);
        Assert.Equal(2, Cloud.Launches.Count);
        Assert.Equal(Cloud.Machines.Select(m => m.Id).Order(), Assert.Single(await controller.ReplicasAsync(id)).MachineIds.Order());
    }

    [Fact]
    public async Task A_node_that_fails_to_launch_fails_the_replica_and_the_nodes_that_launched_are_terminated()
    {
        var id = await controller.CreateAsync("svc", Spec);
        Cloud.FailLaunchWhen = r => r.Tags.GetValueOrDefault(MachineTags.NodeRank) == "1" ? CloudErrorKind.QuotaExceeded : null;
        await controller.ReconcileAsync(id);

        var failed = Assert.Single(await controller.ReplicasAsync(id));
        Assert.Equal(ReplicaStatus.FAILED_PROVISION, failed.Status);
        var head = Assert.Single(Cloud.Launches);
        Assert.Equal(head, failed.InstanceId); // kept until terminated
        await controller.ReconcileAsync(id);
        await Server.Services.GetRequiredService<MachineTerminations>().AllAsync();
        Assert.Equal([head], Cloud.Terminations);
        Assert.Empty(Cloud.Machines);
        Assert.Empty(Assert.Single(await controller.ReplicasAsync(id)).MachineIds);
        await using var scope = Server.Services.CreateAsyncScope();
        var service = await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.AsNoTracking().SingleAsync(s => s.Id == id);
        Assert.Equal(1, service.LaunchFailures); // one failed launch of one replica: the existing back-off applies
    }

    [Fact]
    public async Task Losing_the_worker_preempts_the_replica_its_head_is_terminated_and_a_new_replica_launches()
    {
        var id = await StartedAsync();
        var replica = Assert.Single(await controller.ReplicasAsync(id));
        var worker = replica.WorkerNodes![0].InstanceId!;

        Cloud.Reclaim(worker);
        await Server.Services.GetRequiredService<MachineInventory>().RefreshAsync(CancellationToken.None);
        await controller.ReconcileAsync(id);
        await Server.Services.GetRequiredService<MachineTerminations>().AllAsync();

        var lost = (await controller.ReplicasAsync(id)).Single(r => r.Id == replica.Id);
        Assert.Equal(ReplicaStatus.PREEMPTED, lost.Status);
        Assert.Empty(lost.MachineIds);
        Assert.Equal([replica.InstanceId!], Cloud.Terminations);
        var replacement = (await controller.ReplicasAsync(id)).Single(r => r.Id != replica.Id);
        Assert.Equal(2, replacement.NodeCount);
        Assert.Equal(4, Cloud.Launches.Count);
        await using var scope = Server.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<ControllerDb>().ServiceEvents.AsNoTracking()
            .Where(e => e.ServiceId == id && e.ToStatus == nameof(ReplicaStatus.PREEMPTED)).ToListAsync();
        Assert.Contains("worker node 1", Assert.Single(events).Reason);
    }

    [Fact]
    public async Task A_notice_for_the_worker_takes_the_replica_out_of_rotation()
    {
        var id = await StartedAsync();
        var replica = Assert.Single(await controller.ReplicasAsync(id));
        var intake = Server.Services.GetRequiredService<NoticeIntake>();
        var outcome = await intake.ApplyAsync(replica.WorkerNodes![0].InstanceId!, DateTimeOffset.UtcNow.AddMinutes(2), DateTimeOffset.UtcNow,
            "cloud event", CancellationToken.None);
        Assert.Equal(NoticeOutcome.Applied, outcome);
        var noticed = Assert.Single(await controller.ReplicasAsync(id));
        Assert.NotNull(noticed.NoticeDeadline);
        Assert.Equal(ReplicaStatus.NOT_READY, noticed.Status);
    }

    [Fact]
    public async Task Tearing_the_service_down_terminates_every_node()
    {
        var id = await StartedAsync();
        var machines = Assert.Single(await controller.ReplicasAsync(id)).MachineIds;
        Assert.Equal(2, machines.Count);
        var deleted = await Server.Client.DeleteAsync("/api/v1/services/svc");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        await controller.ReconcileAsync(id);
        await Server.Services.GetRequiredService<MachineTerminations>().AllAsync();
        Assert.Equal(machines.Order(), Cloud.Terminations.Order());
        Assert.Empty(Cloud.Machines);
    }

    [Fact]
    public async Task The_orphan_collector_keeps_live_workers_and_collects_the_workers_of_gone_replicas()
    {
        var id = await StartedAsync();
        await CollectOrphansAsync();
        Assert.Empty(Cloud.Terminations);

        // A replica row lost while its machines lived on (a purge whose terminations failed, a restored backup...).
        var machines = Assert.Single(await controller.ReplicasAsync(id)).MachineIds;
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            db.Replicas.RemoveRange(await db.Replicas.Where(r => r.ServiceId == id).ToListAsync());
            await db.SaveChangesAsync();
        }
        await CollectOrphansAsync();
        Assert.Equal(machines.Order(), Cloud.Terminations.Order());
    }

    [Fact]
    public async Task A_worker_launch_in_flight_is_no_orphan()
    {
        var id = await controller.CreateAsync("svc", Spec);
        // The row is recorded with its workers' tokens before the launch: a machine listed before its id is saved is owned.
        Cloud.FailLaunchWhen = r => r.Tags.GetValueOrDefault(MachineTags.NodeRank) == "1" ? CloudErrorKind.QuotaExceeded : null;
        await controller.ReconcileAsync(id);
        Cloud.FailLaunchWhen = null;
        var replica = Assert.Single(await controller.ReplicasAsync(id));
        await Cloud.LaunchAsync(new LaunchRequest(replica.WorkerNodes![0].LaunchToken.ToString(),
            new OfferingKey(replica.Cloud, replica.Region, replica.Zone, replica.InstanceType!, true),
            new Dictionary<string, string> { [MachineTags.ManagedBy] = MachineOwnership.ManagedBy }), CancellationToken.None);
        await CollectOrphansAsync();
        Assert.Empty(Cloud.Terminations);
    }

    [Fact]
    public async Task The_agents_learn_the_node_addresses_with_the_replica_token_and_views_and_costs_count_every_node()
    {
        var id = await StartedAsync();
        var replica = Assert.Single(await controller.ReplicasAsync(id));
        using var agent = new HttpClient { BaseAddress = new Uri(Server.Url) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Server.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(replica.LaunchToken));
        var answer = await agent.GetFromJsonAsync<AgentNodesAnswer>(AgentApi.Nodes, ContractJson.Options);
        Assert.NotNull(answer);
        Assert.Equal((replica.ReplicaId, 2), (answer.ReplicaId, answer.NumNodes));
        Assert.Equal(["127.0.0.1", "127.0.0.1"], answer.Ips);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Anonymous.GetAsync(AgentApi.Nodes)).StatusCode);
        using var admin = new HttpRequestMessage(HttpMethod.Get, AgentApi.Nodes);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client.SendAsync(admin)).StatusCode); // agent tokens only

        using var view = JsonDocument.Parse(await Server.Client.GetStringAsync("/api/v1/services/svc"));
        var shown = view.RootElement.GetProperty("replicas")[0];
        Assert.Equal(2, shown.GetProperty("num_nodes").GetInt32());
        Assert.Equal([0, 1], shown.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("rank").GetInt32()));

        var now = replica.CreatedAt.AddHours(1);
        Assert.Equal(2 * 0.30m, CostAccounting.CostOf(replica, now));
        Assert.Equal(2 * 0.30m, CostAccounting.Summarize([replica], 0, (_, _, _) => 1.00m, now).PerHour);
        Assert.Equal(2 * 1.00m, CostAccounting.Summarize([replica], 0, (_, _, _) => 1.00m, now).OnDemandEquivalentPerHour);
    }

    /// <summary>A service whose one two-node replica is up: launched, running, probing.</summary>
    private async Task<long> StartedAsync()
    {
        var id = await controller.CreateAsync("svc", Spec);
        await controller.ReconcileAsync(id);
        Cloud.StartAll();
        await Server.Services.GetRequiredService<MachineInventory>().RefreshAsync(CancellationToken.None);
        await controller.ReconcileAsync(id);
        Assert.Equal(ReplicaStatus.STARTING, Assert.Single(await controller.ReplicasAsync(id)).Status);
        return id;
    }

    private async Task CollectOrphansAsync()
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var job = ActivatorUtilities.CreateInstance<OrphanMachineCollectorJob>(scope.ServiceProvider);
        await job.Execute(null!, CancellationToken.None);
    }

    private async Task UpdateReplicaAsync(long id, Action<ReplicaRecord> change)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        change(await db.Replicas.SingleAsync(r => r.ServiceId == id));
        await db.SaveChangesAsync();
    }
}
