using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// SKYPILOT_NODE_IPS on the real agent process: a multi-node replica's agent (<c>--num-nodes</c>) asks the controller
/// for its nodes' addresses, with its token, and holds setup until every node has one; a single node's agent gives its
/// own address without asking.
/// </summary>
public sealed class NodeDiscoveryTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Token = "ska_node-discovery-test";
    private readonly TempDirectory work = new();
    private readonly string marker = FakeEngine.NewMarker();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_multi_node_agent_waits_for_every_node_address_before_setup_and_gives_them_to_setup_and_run()
    {
        await using var controller = await NodesStub.StartAsync();
        var args = FakeEngine.AgentArgs(work.Path, FakeEngine.Run(marker), "--setup", "echo \"setup sees [$SKYPILOT_SETUP_NODE_IPS]\"",
            "--num-nodes", "2", "--controller-url", controller.Url.ToString(), "--controller-token", Token);
        await using var agent = await AgentProcess.StartAsync(args);

        // Until the controller knows every address, setup waits (and /health says why).
        await Eventually.TrueAsync(() => controller.Questions.Count >= 2, Patience, () => $"the agent asking again\n{agent.Output}");
        var engine = (JsonObject)(await agent.GetJsonAsync("/health"))["engine"]!;
        Assert.Equal("setting_up", (string?)engine["state"]);
        Assert.Contains("waiting for the addresses of the replica's 2 nodes", (string?)engine["detail"]);
        Assert.All(controller.Questions, authorization => Assert.Equal($"Bearer {Token}", authorization));
        Assert.False(File.Exists(Path.Combine(work.Path, ".skyserve", "setup.done")));

        controller.Ips = ["10.0.0.7", "10.0.0.8"];
        await Eventually.TrueAsync(async () => (string?)((JsonObject)(await agent.GetJsonAsync("/health"))["engine"]!)["state"] == "running", Patience,
            () => $"the engine running\n{agent.Output}");
        var info = await agent.GetJsonAsync("/info?env=SKYPILOT_NODE_IPS,SKYPILOT_SETUP_NODE_IPS");
        Assert.Equal("10.0.0.7\n10.0.0.8", (string?)info["env"]!["SKYPILOT_NODE_IPS"]);
        Assert.Equal("10.0.0.7\n10.0.0.8", (string?)info["env"]!["SKYPILOT_SETUP_NODE_IPS"]);
        Assert.Contains("setup sees [10.0.0.7\n10.0.0.8]", await agent.Http.GetStringAsync("/logs?tail=200"));
    }

    [Fact]
    public async Task A_single_node_agent_gives_its_own_address_without_asking()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(work.Path, FakeEngine.Run(marker)));
        await Eventually.TrueAsync(async () => (string?)((JsonObject)(await agent.GetJsonAsync("/health"))["engine"]!)["state"] == "running", Patience,
            () => $"the engine running\n{agent.Output}");
        var info = await agent.GetJsonAsync("/info?env=SKYPILOT_NODE_IPS");
        Assert.Equal("127.0.0.1", (string?)info["env"]!["SKYPILOT_NODE_IPS"]);
    }

    [Theory]
    [InlineData("--num-nodes must be a whole number from 1 to 64, not '0'", "--run", "x", "--num-nodes", "0")]
    [InlineData("--num-nodes must be a whole number from 1 to 64, not '65'", "--run", "x", "--num-nodes", "65")]
    [InlineData("--num-nodes above 1 needs --controller-url", "--run", "x", "--num-nodes", "2")]
    [InlineData("go with --run", "--num-nodes", "2", "--controller-url", "http://10.0.0.2:30580")]
    public void Misuse_is_refused_with_a_message(string message, params string[] args)
    {
        var error = Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(["--port", "0", .. args]));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_node_count_defaults_to_one()
    {
        Assert.Equal(1, AgentCommandLine.Parse(["--port", "0", "--run", "x"]).External!.NumNodes);
        Assert.Equal(3, AgentCommandLine.Parse(["--port", "0", "--run", "x", "--num-nodes", "3", "--controller-url", "http://10.0.0.2:30580"])
            .External!.NumNodes);
    }

    /// <summary>The controller's GET api/v1/agent/nodes on a real loopback port: no addresses until the test gives them.</summary>
    private sealed class NodesStub : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly ConcurrentQueue<string> questions = new();

        private NodesStub(WebApplication app) => this.app = app;

        public Uri Url { get; private set; } = new("http://invalid");
        private volatile string[]? ips;

        /// <summary>The addresses it answers; null: not every node has one yet.</summary>
        public string[]? Ips { get => ips; set => ips = value; }
        public IReadOnlyList<string> Questions => questions.ToList();

        public static async Task<NodesStub> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var stub = new NodesStub(app);
            app.MapGet("/api/v1/agent/nodes", (HttpRequest request) =>
            {
                stub.questions.Enqueue(request.Headers.Authorization.ToString());
                return Results.Json(new JsonObject { ["replica_id"] = 3, ["num_nodes"] = 2, ["ips"] = stub.Ips is { } known ? new JsonArray([.. known.Select(ip => JsonValue.Create(ip))]) : null });
            });
            await app.StartAsync();
            stub.Url = new Uri(app.Urls.First());
            return stub;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
