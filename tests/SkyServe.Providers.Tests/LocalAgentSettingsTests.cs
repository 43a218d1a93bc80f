using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>
/// A launch's <see cref="AgentSettings"/> reach the local machine's agent: the model as --model (a relative path
/// resolved against the model root), the spec's run/setup as --run/--setup, and its envs as the environment.
/// </summary>
public sealed class LocalAgentSettingsTests : IAsyncLifetime
{
    private const string Zone = "aws/us-east-1/us-east-1a";
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TempDirectory state = new();
    private readonly List<string> machines = [];
    private LocalCloudProvider provider = null!;

    public async Task InitializeAsync() =>
        provider = await LocalCloudProvider.StartAsync(LocalRuntime.Options(state.Path) with { ModelRoot = RepoPaths.Root },
            LocalRuntime.Market((Zone, new ScriptedSpotCapacity(4))));

    public async Task DisposeAsync()
    {
        foreach (var id in machines)
            await provider.TerminateAsync(id, CancellationToken.None);
        await provider.DisposeAsync();
        foreach (var id in machines)
            await AgentProbe.WaitGoneAsync(id);
        state.Dispose();
    }

    private async Task<CloudMachine> LaunchAsync(AgentSettings agent)
    {
        var machine = await provider.LaunchAsync(new LaunchRequest(Guid.NewGuid().ToString(), LocalRuntime.Cpu(Zone, spot: false),
            new Dictionary<string, string> { [MachineTags.ManagedBy] = "local-tests" }) { Agent = agent }, CancellationToken.None);
        machines.Add(machine.Id);
        return machine;
    }

    private static async Task<HttpResponseMessage> WaitForOkAsync(string url)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                var response = await Http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                    return response;
                response.Dispose();
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"{url} did not answer 200 within 60 s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public void The_agents_command_line_carries_the_model_or_the_run_command()
    {
        var machine = new LocalMachine
        {
            Id = "lm-1", ClientToken = "t", Offering = LocalRuntime.Cpu(Zone, spot: true), Tags = [], LaunchedAt = DateTimeOffset.UnixEpoch,
            Port = 4100, Agent = new AgentSettings
            {
                ReadinessPath = "/v1/models",
                Model = new AgentModel { Path = "models/tiny-chat", ServedName = "models/tiny-chat", Engine = "cpu", MaxBatchSize = 8 },
            },
        };
        var withModel = AgentArguments.For("agent.dll", machine, "http://127.0.0.1:9/lm-1", "/state/work/lm-1", "/repo");
        Assert.Equal(["dotnet", "agent.dll", "--port", "4100", "--machine-id", "lm-1", "--readiness-path", "/v1/models", "--ready-delay-ms", "0",
            "--metadata-url", "http://127.0.0.1:9/lm-1", "--metadata-format", "aws", "--metadata-poll-ms", "250", "--orphan-exit-after-ms", "600000",
            "--model", "/repo/models/tiny-chat", "--served-model-name", "models/tiny-chat", "--max-batch-size", "8", "--engine", "cpu"], withModel);

        var runMachine = new LocalMachine
        {
            Id = "lm-2", ClientToken = "t", Offering = machine.Offering, Tags = [], LaunchedAt = DateTimeOffset.UnixEpoch, Port = 4101,
            Agent = new AgentSettings { ReadinessPath = "/health/ready", Run = "vllm serve m --port $PORT", Setup = "pip install vllm", EnginePort = 8080 },
        };
        var withRun = AgentArguments.For("agent.dll", runMachine, "http://m", "/state/work/lm-2", "/repo");
        Assert.Equal(["--run", "vllm serve m --port $PORT", "--setup", "pip install vllm", "--engine-port", "0", "--workdir", "/state/work/lm-2"],
            withRun.SkipWhile(arg => arg != "--run"));
        Assert.DoesNotContain("--model", withRun);
    }

    [Fact]
    public void A_self_contained_agent_is_started_by_its_own_executable_a_framework_dependent_one_by_dotnet()
    {
        using var publish = new TempDirectory();
        var dll = Path.Combine(publish.Path, "SkyServe.ReplicaAgent.dll");
        var executable = Path.Combine(publish.Path, "SkyServe.ReplicaAgent");
        File.WriteAllText(dll, "");
        File.WriteAllText(executable, "");
        var runtimeConfig = Path.Combine(publish.Path, "SkyServe.ReplicaAgent.runtimeconfig.json");
        File.WriteAllText(runtimeConfig, """{"runtimeOptions": {"tfm": "net10.0", "framework": {"name": "Microsoft.AspNetCore.App", "version": "10.0.0"}}}""");
        Assert.Equal(["dotnet", dll], AgentArguments.Launcher(dll));

        // What `dotnet publish --self-contained` writes: the runtime is in the folder, no `dotnet` is needed (the controller's image).
        File.WriteAllText(runtimeConfig, """{"runtimeOptions": {"tfm": "net10.0", "includedFrameworks": [{"name": "Microsoft.NETCore.App", "version": "10.0.12"}]}}""");
        Assert.Equal([executable], AgentArguments.Launcher(dll));
        Assert.Equal("--port", AgentArguments.For(dll, new LocalMachine
        {
            Id = "lm-3", ClientToken = "t", Offering = LocalRuntime.Cpu(Zone, spot: false), Tags = [], LaunchedAt = DateTimeOffset.UnixEpoch,
            Port = 4102, Agent = new AgentSettings { ReadinessPath = "/ready" },
        }, "http://m", "/w", null)[1]);
    }

    [Theory]
    [InlineData("models/tiny-chat", "/repo", "/repo/models/tiny-chat")]
    [InlineData("./models/../models/x", "/repo", "/repo/models/x")]
    [InlineData("/models/llama", "/repo", "/models/llama")]
    [InlineData("s3://bucket/llama", "/repo", "s3://bucket/llama")]
    public void Relative_model_paths_are_resolved_against_the_model_root(string path, string root, string expected) =>
        Assert.Equal(expected, AgentArguments.ResolveModelPath(path, root));

    [Fact]
    public async Task A_relative_model_path_is_served_by_the_machines_built_in_engine()
    {
        var machine = await LaunchAsync(new AgentSettings
        {
            ReadinessPath = "/v1/models",
            Model = new AgentModel { Path = "tests/fixtures/tiny-llama", ServedName = "tests/fixtures/tiny-llama", MaxBatchSize = 4 },
        });
        using var models = await WaitForOkAsync($"{machine.Endpoint}/v1/models");
        Assert.Equal("tests/fixtures/tiny-llama", (string?)(await models.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]);
    }

    [Fact]
    public async Task The_run_command_gets_the_specs_envs_a_port_and_a_work_dir_and_terminate_ends_it()
    {
        var marker = $"fake-engine-{Guid.NewGuid():N}";
        var script = Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py");
        var machine = await LaunchAsync(new AgentSettings
        {
            ReadinessPath = "/healthz",
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello from the spec" },
            Setup = "echo \"$GREETING\" > greeting.txt",
            Run = $"exec python3 {script} {marker}",
            EnginePort = 8080, // the local runtime lets the agent pick a free port instead: replicas share this host
        });
        using (await WaitForOkAsync($"{machine.Endpoint}/healthz"))
        {
        }
        var info = await Http.GetFromJsonAsync<JsonObject>($"{machine.Endpoint}/info?env=GREETING,PORT");
        Assert.Equal("hello from the spec", (string?)info!["env"]!["GREETING"]);
        Assert.NotEqual("8080", (string?)info["env"]!["PORT"]);
        Assert.Equal(Path.Combine(state.Path, "work", machine.Id), (string?)info["cwd"]);
        Assert.Equal("hello from the spec\n", await File.ReadAllTextAsync(Path.Combine(state.Path, "work", machine.Id, "greeting.txt")));

        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await AgentProbe.WaitGoneAsync(machine.Id);
        var left = await ProcessRunner.RunAsync("pgrep", ["-f", marker]);
        Assert.True(left.ExitCode == 1, $"the engine outlived its machine:\n{left.Output}");
    }
}
