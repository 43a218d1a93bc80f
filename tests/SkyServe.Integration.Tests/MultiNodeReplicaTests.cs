using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// <c>num_nodes: 2</c> on the local runtime, with a controller and a load balancer: each node is its own agent process
/// (own port, own work folder) running the spec's <c>run:</c> with SkyPilot's node variables; the head answers through
/// the load balancer; killing the worker's agent loses the replica and a new two-node replica comes up.
/// </summary>
public sealed class MultiNodeReplicaTests
{
    private const string Variables = "SKYPILOT_NODE_RANK,SKYPILOT_NODE_IPS,SKYPILOT_NUM_NODES,SKYPILOT_NUM_GPUS_PER_NODE,SKYPILOT_SERVE_REPLICA_ID,"
        + "SKYPILOT_TASK_ID,SKYPILOT_CLUSTER_INFO,SKYPILOT_SETUP_NODE_RANK,SKYPILOT_SETUP_NODE_IPS";
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_two_node_replica_serves_from_its_head_with_the_node_variables_on_both_nodes_and_is_replaced_when_its_worker_dies()
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py");
        var stateDirectory = "";
        await using var system = await LocalSystem.StartAsync([("aws/us-east-1/us-east-1a", new ScriptedSpotCapacity(4))],
            provider: o => { stateDirectory = o.StateDirectory; return o; });
        await system.CreateAsync("mn", $"""
            service:
              readiness_probe: /health
              replicas: 1
              ports: 8080
            resources:
              cloud: aws
              cpus: 8
            num_nodes: 2
            setup: echo "setup on node $SKYPILOT_SETUP_NODE_RANK of $SKYPILOT_NUM_NODES"
            run: exec python3 {script} multinode-{Guid.NewGuid():N}
            """);
        var first = await ReadyReplicaAsync(system);
        Assert.Equal(2, first["num_nodes"]!.GetValue<int>());
        var nodes = first["nodes"]!.AsArray();
        Assert.Equal(first["endpoint"]!.GetValue<string>(), nodes[0]!["endpoint"]!.GetValue<string>());
        Assert.NotEqual(nodes[0]!["endpoint"]!.GetValue<string>(), nodes[1]!["endpoint"]!.GetValue<string>()); // an agent each

        // The load balancer sees the head only.
        var lb = LoadBalancerHost.Build(new LoadBalancerOptions
        {
            Listen = "http://127.0.0.1:0", ControllerUrl = system.Url, ControllerToken = system.Token, StatsInterval = TimeSpan.FromMilliseconds(500),
        });
        await lb.StartAsync();
        try
        {
            using var viaLb = new HttpClient { BaseAddress = LoadBalancerHost.BoundAddress(lb), Timeout = TimeSpan.FromSeconds(30) };
            await Eventually.TrueAsync(async () => (await viaLb.GetAsync("mn/info")).StatusCode == HttpStatusCode.OK, Startup,
                () => "the load balancer routing to mn");
            var head = (await viaLb.GetFromJsonAsync<JsonObject>($"mn/info?env={Variables}"))!["env"]!;
            var worker = (await Http.GetFromJsonAsync<JsonObject>($"{nodes[1]!["endpoint"]}/info?env={Variables}"))!["env"]!;

            var replicaId = first["replica_id"]!.ToString();
            Assert.Equal("0", (string?)head["SKYPILOT_NODE_RANK"]);
            Assert.Equal("1", (string?)worker["SKYPILOT_NODE_RANK"]);
            Assert.Equal("1", (string?)worker["SKYPILOT_SETUP_NODE_RANK"]);
            foreach (var env in new[] { head, worker })
            {
                Assert.Equal("127.0.0.1\n127.0.0.1", (string?)env["SKYPILOT_NODE_IPS"]); // head first, one a line, as SkyPilot
                Assert.Equal((string?)env["SKYPILOT_NODE_IPS"], (string?)env["SKYPILOT_SETUP_NODE_IPS"]);
                Assert.Equal("2", (string?)env["SKYPILOT_NUM_NODES"]);
                Assert.Equal("0", (string?)env["SKYPILOT_NUM_GPUS_PER_NODE"]);
                Assert.Equal(replicaId, (string?)env["SKYPILOT_SERVE_REPLICA_ID"]);
                Assert.Equal("mn-" + replicaId, (string?)JsonNode.Parse((string)env["SKYPILOT_CLUSTER_INFO"]!)!["cluster_name"]);
            }
            Assert.Equal((string?)head["SKYPILOT_TASK_ID"], (string?)worker["SKYPILOT_TASK_ID"]);
        }
        finally
        {
            await lb.StopAsync();
            await lb.DisposeAsync();
        }

        // The worker's machine dies (its agent and engine are killed): the replica is lost with it, its head is terminated
        // and a new two-node replica takes its place.
        var workerId = nodes[1]!["instance_id"]!.GetValue<string>();
        var machine = new LocalStateStore(stateDirectory).Load()!.Machines.Single(m => m.Id == workerId);
        AgentProcess.Kill(machine.Pid!.Value, machine.ProcessStartedAt!.Value);
        var firstId = first["replica_id"]!.GetValue<int>();
        await system.WaitUntilAsync("mn", replicas => replicas.Any(r => r!["replica_id"]!.GetValue<int>() == firstId
                && r["status"]!.GetValue<string>() == "FAILED" && r["nodes"]!.AsArray().All(n => n!["instance_id"] is null))
            && replicas.Any(r => r!["replica_id"]!.GetValue<int>() != firstId && r["status"]!.GetValue<string>() == "READY"),
            Startup, "the lost replica ended with all its machines and a new one READY");
        var events = await system.EventsAsync("mn");
        Assert.Contains(events, e => e!["replica_id"]?.GetValue<int>() == firstId && e["to_status"]!.GetValue<string>() == "FAILED"
            && e["reason"]!.GetValue<string>().Contains("worker node 1"));
        var second = (await system.ReplicasAsync("mn")).Single(r => r!["status"]!.GetValue<string>() == "READY")!;
        Assert.Equal(2, second["num_nodes"]!.GetValue<int>());
        var headMachine = nodes[0]!["instance_id"]!.GetValue<string>();
        Assert.Equal(Providers.MachineState.Terminated,
            new LocalStateStore(stateDirectory).Load()!.Machines.Single(m => m.Id == headMachine).State);
    }

    private static async Task<JsonNode> ReadyReplicaAsync(LocalSystem system)
    {
        await system.WaitUntilAsync("mn", r => LocalSystem.Ready(r) == 1, Startup, "a READY two-node replica");
        return (await system.ReplicasAsync("mn")).Single(r => r!["status"]!.GetValue<string>() == "READY")!;
    }
}
