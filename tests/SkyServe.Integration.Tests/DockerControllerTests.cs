using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Providers.Docker;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// The controller program configured with the Docker provider only (<c>SkyServe__Clouds__Docker__...</c>), on a real
/// dockerd of the test's own: <c>config/examples/local-chat.yaml</c>, unchanged, starts its replicas as containers
/// running the real ReplicaAgent with the built-in engine and models/tiny-chat. The image is the tests' stand-in
/// (<see cref="StandInAgentImage"/>) with the host's /usr (the .NET runtime) and the agent build mounted into it, and the
/// entrypoint set to <c>dotnet SkyServe.ReplicaAgent.dll</c>: no agent image needs building for the test.
/// </summary>
[Collection(DockerControllerCollection.Name)]
public sealed class DockerControllerTests(Dockerd dockerd, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "docker-controller-test-token";
    private readonly TempDirectory data = new();
    private readonly string deployment = "it-" + Guid.NewGuid().ToString("N")[..10];
    private ControllerProcess? controller;

    [Fact]
    public async Task Local_chat_runs_unchanged_as_agent_containers_answers_and_leaves_no_container_when_torn_down()
    {
        var started = DateTime.UtcNow;
        var port = FreePort.Next();
        var dotnet = new FileInfo("/usr/bin/dotnet").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/usr/bin/dotnet";
        controller = await ControllerProcess.StartAsync(new Dictionary<string, string>
        {
            ["DataDirectory"] = data.Path,
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["ApiToken"] = Token,
            ["ConfigDirectory"] = RepoPaths.Config,
            ["Reconcile:Interval"] = "00:00:00.250",
            ["Reconcile:LaunchBackoff"] = "00:00:00.250",
            ["Reconcile:MaxLaunchBackoff"] = "00:00:01",

            ["Clouds:Docker:Image"] = StandInAgentImage.Reference,
            ["Clouds:Docker:Entrypoint:0"] = dotnet,
            ["Clouds:Docker:Entrypoint:1"] = "/skyserve/agent/SkyServe.ReplicaAgent.dll",
            ["Clouds:Docker:Mounts:0"] = "/usr:/usr:ro",
            ["Clouds:Docker:Mounts:1"] = $"{Path.Combine(AppContext.BaseDirectory, "agent")}:/skyserve/agent:ro",
            ["Clouds:Docker:ModelRoot"] = RepoPaths.Root, // models/tiny-chat of the checkout, mounted read-only
            ["Clouds:Docker:Deployment"] = deployment,
            ["Clouds:Docker:StopGrace"] = "00:00:10",
            ["Clouds:Docker:Hosts:0:Zone"] = "local",
            ["Clouds:Docker:Hosts:0:Endpoint"] = dockerd.Endpoint,
            ["Clouds:Docker:Hosts:0:Address"] = "127.0.0.1",
        });
        output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F1} s, controller started");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            var spec = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Examples, "local-chat.yaml"));
            var created = await http.PostAsync("/api/v1/services", new StringContent(spec, Encoding.UTF8, "application/yaml"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

            // min_replicas 1 and num_overprovision 1: two spot replicas (and, until they are READY, an on-demand stand-in),
            // each a container on the one host.
            var replicas = await WaitAsync(http, r => Ready(r).Count(x => x!["is_spot"]!.GetValue<bool>()) >= 2, TimeSpan.FromSeconds(90), "two READY spot replicas");
            output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F1} s, two spot replicas READY");
            var containers = await dockerd.ContainersAsync($"{DockerLabels.Deployment}={deployment}");
            Assert.All(containers, c => Assert.Equal("local-chat", c.Labels[DockerLabels.TagPrefix + "skyserve-service"]));
            foreach (var replica in Ready(replicas))
            {
                Assert.Equal("docker/local/local", replica!["location"]!.GetValue<string>());
                var instance = replica["instance_id"]!.GetValue<string>(); // docker:local/NAME
                Assert.Contains(containers, c => $"docker:local/{c.Name}" == instance);
                var endpoint = replica["endpoint"]!.GetValue<string>();
                Assert.StartsWith("http://127.0.0.1:", endpoint);
                var answer = await http.PostAsJsonAsync($"{endpoint}/v1/chat/completions", new
                {
                    model = "models/tiny-chat",
                    messages = new[] { new { role = "user", content = "Hello" } },
                    max_tokens = 8,
                });
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.IsSuccessStatusCode, body);
                Assert.NotEmpty(JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
            }

            var deleted = await http.DeleteAsync("/api/v1/services/local-chat");
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
            await Eventually.TrueAsync(async () => (await dockerd.ContainersAsync($"{DockerLabels.Deployment}={deployment}")).Count == 0,
                TimeSpan.FromSeconds(60), () => "the service's containers are still there after its teardown");
            output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F1} s, torn down, no container left");
        }
        catch
        {
            output.WriteLine("controller output:\n" + controller.Output);
            throw;
        }
    }

    private static List<JsonNode?> Ready(JsonArray replicas) => replicas.Where(r => r!["status"]!.GetValue<string>() == "READY").ToList();

    private static async Task<JsonArray> WaitAsync(HttpClient http, Func<JsonArray, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var replicas = (JsonArray)JsonNode.Parse(await http.GetStringAsync("/api/v1/services/local-chat/replicas"))!;
            if (condition(replicas))
                return replicas;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}; replicas: {replicas.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (controller is not null)
            await controller.DisposeAsync();
        foreach (var (id, _, _) in await dockerd.ContainersAsync($"{DockerLabels.Deployment}={deployment}"))
            await dockerd.Api.RemoveAsync(id); // what a failed test left
        data.Dispose();
    }
}

/// <summary>The Docker controller test has a dockerd of its own and runs alone (a controller and containerized agents on a small machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerControllerCollection : ICollectionFixture<Dockerd>
{
    public const string Name = "docker-controller";
}
